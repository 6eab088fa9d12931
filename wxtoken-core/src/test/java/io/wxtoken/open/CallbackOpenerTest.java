package io.wxtoken.open;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.wxtoken.open.CallbackRejectedException.Reason;
import io.wxtoken.simulator.ManualClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verifying, decrypting and reading pushed authorization events, and refusing everything else. */
class CallbackOpenerTest {
  private static final String COMPONENT = "wx1c0mp0nent00001";
  private static final String TOKEN = "msgtoken";
  private static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

  private final ManualClock clock = ManualClock.startingAt("2026-12-02T08:00:00Z");
  private final MessageCrypto crypto = new MessageCrypto(TOKEN, AES_KEY, COMPONENT);
  private final CallbackOpener opener = new CallbackOpener(crypto,
      new ReplayGuard(clock, clock::nanoTime, Duration.ofMinutes(5), 1000));
  private final String now = Long.toString(clock.instant().getEpochSecond());

  @Test
  void readsAComponentVerifyTicket() {
    Callback callback = push(inner("component_verify_ticket",
        "<ComponentVerifyTicket><![CDATA[ticket@@@abc]]></ComponentVerifyTicket>"));

    ComponentEvent event = callback.open();

    assertThat(event).isEqualTo(new ComponentEvent.VerifyTicket(COMPONENT,
        Instant.ofEpochSecond(1_700_000_000L), "ticket@@@abc"));
    assertThat(event.toString()).doesNotContain("ticket@@@abc");
  }

  @Test
  void readsAuthorizedAndUpdateAuthorized() {
    String fields = "<AuthorizerAppid>wxmerchant0000001</AuthorizerAppid>"
        + "<AuthorizationCode>queryauthcode@@@x</AuthorizationCode>"
        + "<AuthorizationCodeExpiredTime>1700003600</AuthorizationCodeExpiredTime>"
        + "<PreAuthCode>preauthcode@@@y</PreAuthCode>";

    ComponentEvent authorized = push(inner("authorized", fields)).open();
    ComponentEvent updated = push(inner("updateauthorized", fields)).open();

    ComponentEvent.Authorized expected = new ComponentEvent.Authorized(COMPONENT,
        Instant.ofEpochSecond(1_700_000_000L), "wxmerchant0000001", "queryauthcode@@@x",
        Instant.ofEpochSecond(1_700_003_600L), "preauthcode@@@y", false);
    assertThat(authorized).isEqualTo(expected);
    assertThat(updated).isEqualTo(new ComponentEvent.Authorized(expected.componentAppId(),
        expected.createTime(), expected.authorizerAppId(), expected.authorizationCode(),
        expected.codeExpiresAt(), expected.preAuthCode(), true));
    assertThat(authorized.toString()).doesNotContain("queryauthcode").doesNotContain("preauthcode");
  }

  @Test
  void readsUnauthorizedAndPassesOtherInfoTypesOn() {
    assertThat(push(inner("unauthorized", "<AuthorizerAppid>wxmerchant0000001</AuthorizerAppid>"))
        .open()).isEqualTo(new ComponentEvent.Unauthorized(COMPONENT,
            Instant.ofEpochSecond(1_700_000_000L), "wxmerchant0000001"));
    assertThat(push(inner("notify_third_fasteregister", "<status>0</status>")).open())
        .isEqualTo(new ComponentEvent.Other(COMPONENT, Instant.ofEpochSecond(1_700_000_000L),
            "notify_third_fasteregister"));
  }

  @Test
  void passesOnOtherEventsWhoseDetailsNest() {
    // notify_third_fasteregister carries its details in a nested <info>.
    ComponentEvent event = push(inner("notify_third_fasteregister", "<status>0</status>"
        + "<info><name><![CDATA[shop]]></name><code><![CDATA[123]]></code></info>")).open();

    assertThat(event).isEqualTo(new ComponentEvent.Other(COMPONENT,
        Instant.ofEpochSecond(1_700_000_000L), "notify_third_fasteregister"));
  }

  @Test
  void rejectsDeepNesting() {
    String deep = "<a>".repeat(20) + "</a>".repeat(20);
    assertRejected(push(inner("notify_third_fasteregister", deep))::open, Reason.MALFORMED_XML);
  }

  @Test
  void toleratesWhitespaceAndTheXmlDeclarationWeChatMaySend() {
    String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xml>\n  <AppId>" + COMPONENT
        + "</AppId>\n  <CreateTime>1700000000</CreateTime>\n  <InfoType>unauthorized</InfoType>\n"
        + "  <AuthorizerAppid>wxmerchant0000001</AuthorizerAppid>\n</xml>";
    assertThat(push(xml).open()).isInstanceOf(ComponentEvent.Unauthorized.class);
  }

  @Test
  void rejectsAForgedSignature() {
    Callback callback = push(inner("unauthorized", "<AuthorizerAppid>wxm</AuthorizerAppid>"));
    MessageCrypto forger = new MessageCrypto("guessed", AES_KEY, COMPONENT);
    String forged = forger.signature(callback.timestamp, callback.nonce, callback.encrypted);

    assertRejected(() -> opener.open(forged, callback.timestamp, callback.nonce,
        callback.body()), Reason.BAD_SIGNATURE);
    assertRejected(() -> opener.open("short", callback.timestamp, callback.nonce,
        callback.body()), Reason.BAD_SIGNATURE);
    // The genuine one still opens: a rejected forgery is not remembered as seen.
    assertThat(callback.open()).isInstanceOf(ComponentEvent.Unauthorized.class);
  }

  @Test
  void rejectsAReplayAndAStaleTimestamp() {
    Callback callback = push(inner("unauthorized", "<AuthorizerAppid>wxm</AuthorizerAppid>"));
    callback.open();
    assertRejected(callback::open, Reason.REPLAYED);

    Callback old = push(inner("unauthorized", "<AuthorizerAppid>wxm</AuthorizerAppid>"));
    clock.advance(Duration.ofMinutes(6));
    assertRejected(old::open, Reason.STALE_TIMESTAMP);
  }

  @Test
  void rejectsAnotherPlatformsMessage() {
    MessageCrypto other = new MessageCrypto(TOKEN, AES_KEY, "wxanotherplatform");
    // Encrypted for another appid, signed with our token: the appid check catches it.
    String encrypted = other.encrypt(inner("unauthorized", "<AuthorizerAppid>w</AuthorizerAppid>"));
    Callback foreign = new Callback(encrypted, envelope(COMPONENT, encrypted), "n1");
    assertRejected(foreign::open, Reason.WRONG_APPID);
    // The envelope names another platform.
    String ours = crypto.encrypt(inner("unauthorized", "<AuthorizerAppid>w</AuthorizerAppid>"));
    Callback misaddressed = new Callback(ours, envelope("wxanotherplatform", ours), "n2");
    assertRejected(misaddressed::open, Reason.WRONG_PLATFORM);
    // The inner AppId names another platform.
    String inner = "<xml><AppId>wxanotherplatform</AppId><CreateTime>1700000000</CreateTime>"
        + "<InfoType>unauthorized</InfoType><AuthorizerAppid>w</AuthorizerAppid></xml>";
    assertRejected(push(inner)::open, Reason.WRONG_PLATFORM);
  }

  @Test
  void rejectsMissingParametersAndFields() {
    Callback callback = push(inner("unauthorized", "<AuthorizerAppid>w</AuthorizerAppid>"));
    assertRejected(() -> opener.open(null, now, "n", callback.body()), Reason.MISSING_FIELD);
    assertRejected(() -> opener.open(callback.signature, "", "n", callback.body()),
        Reason.MISSING_FIELD);
    assertRejected(() -> opener.open(callback.signature, now, null, callback.body()),
        Reason.MISSING_FIELD);
    assertRejected(push(inner("component_verify_ticket", ""))::open, Reason.MISSING_FIELD);
    assertRejected(push(inner("authorized", "<AuthorizerAppid>w</AuthorizerAppid>"))::open,
        Reason.MISSING_FIELD);
    assertRejected(push("<xml><AppId>" + COMPONENT + "</AppId></xml>")::open,
        Reason.MISSING_FIELD);
    String noEncrypt = "<xml><AppId>" + COMPONENT + "</AppId></xml>";
    assertRejected(() -> opener.open(callback.signature, now, "n",
        noEncrypt.getBytes(StandardCharsets.UTF_8)), Reason.MISSING_FIELD);
  }

  @Test
  void rejectsMalformedContent() {
    for (String bad : new String[] {
        "not xml",
        "<xml><AppId>" + COMPONENT + "</AppId>",
        "<root><AppId>" + COMPONENT + "</AppId></root>",
        "<xml><AppId>" + COMPONENT + "</AppId><AppId>" + COMPONENT + "</AppId></xml>",
        "<xml><AppId><b>x</b></AppId><CreateTime>1700000000</CreateTime>"
            + "<InfoType>unauthorized</InfoType><AuthorizerAppid>w</AuthorizerAppid></xml>",
        inner("unauthorized", "<AuthorizerAppid>wx bad id</AuthorizerAppid>"),
        inner("unauthorized <x>", "<AuthorizerAppid>w</AuthorizerAppid>"),
        "<xml><AppId>" + COMPONENT + "</AppId><CreateTime>-5</CreateTime>"
            + "<InfoType>unauthorized</InfoType><AuthorizerAppid>w</AuthorizerAppid></xml>"}) {
      assertThatThrownBy(push(bad)::open)
          .as(bad)
          .isInstanceOfSatisfying(CallbackRejectedException.class,
              e -> assertThat(e.reason()).isIn(Reason.MALFORMED_XML, Reason.MISSING_FIELD));
    }
  }

  @Test
  void rejectsOversizedInput() {
    Callback callback = push(inner("unauthorized", "<AuthorizerAppid>w</AuthorizerAppid>"));
    byte[] huge = ("<xml><Encrypt>" + "A".repeat(CallbackXml.MAX_BYTES) + "</Encrypt></xml>")
        .getBytes(StandardCharsets.UTF_8);
    assertRejected(() -> opener.open(callback.signature, now, "n", huge), Reason.OVERSIZED);
    assertRejected(() -> opener.open(callback.signature, now, "n".repeat(65), callback.body()),
        Reason.OVERSIZED);
    assertRejected(push(inner("component_verify_ticket",
        "<ComponentVerifyTicket>" + "t".repeat(513) + "</ComponentVerifyTicket>"))::open,
        Reason.OVERSIZED);
  }

  @Test
  void neverReadsExternalEntitiesOrDtds(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("secret.txt");
    Files.writeString(secret, "TOP-SECRET");
    AtomicInteger fetched = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      fetched.incrementAndGet();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/x.dtd";
      String[] attacks = {
          "<!DOCTYPE xml [<!ENTITY e SYSTEM \"" + secret.toUri() + "\">]><xml><Encrypt>&e;</Encrypt></xml>",
          "<!DOCTYPE xml SYSTEM \"" + url + "\"><xml><Encrypt>x</Encrypt></xml>",
          "<!DOCTYPE xml [<!ENTITY % p SYSTEM \"" + url + "\"> %p;]><xml><Encrypt>x</Encrypt></xml>",
          "<!DOCTYPE xml [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
              + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><xml><Encrypt>&c;</Encrypt></xml>",
          "<xml xmlns:xi=\"http://www.w3.org/2001/XInclude\"><Encrypt><xi:include href=\""
              + secret.toUri() + "\" parse=\"text\"/></Encrypt></xml>"};
      for (String attack : attacks) {
        assertThatThrownBy(() -> opener.open("0".repeat(40), now, "n",
            attack.getBytes(StandardCharsets.UTF_8)))
            .as(attack)
            // A DOCTYPE is malformed; an XInclude is an element like any other, nothing included.
            .isInstanceOfSatisfying(CallbackRejectedException.class,
                e -> assertThat(e.reason()).isIn(Reason.MALFORMED_XML, Reason.MISSING_FIELD))
            .satisfies(e -> assertThat(e.getMessage()).doesNotContain("TOP-SECRET"));
      }
      // The same inside a correctly signed and encrypted message: the inner XML is read the same way.
      String innerAttack = "<!DOCTYPE xml [<!ENTITY e SYSTEM \"" + secret.toUri() + "\">]>"
          + "<xml><AppId>" + COMPONENT + "</AppId><CreateTime>1700000000</CreateTime>"
          + "<InfoType>component_verify_ticket</InfoType><ComponentVerifyTicket>&e;"
          + "</ComponentVerifyTicket></xml>";
      assertRejected(push(innerAttack)::open, Reason.MALFORMED_XML);
      assertThat(fetched).hasValue(0);
    } finally {
      server.stop(0);
    }
  }

  private String inner(String infoType, String fields) {
    return "<xml><AppId><![CDATA[" + COMPONENT + "]]></AppId><CreateTime>1700000000</CreateTime>"
        + "<InfoType><![CDATA[" + infoType + "]]></InfoType>" + fields + "</xml>";
  }

  private static String envelope(String appId, String encrypted) {
    return "<xml><AppId><![CDATA[" + appId + "]]></AppId><Encrypt><![CDATA[" + encrypted
        + "]]></Encrypt></xml>";
  }

  private int nonces;

  private Callback push(String message) {
    String encrypted = crypto.encrypt(message);
    return new Callback(encrypted, envelope(COMPONENT, encrypted), "nonce" + ++nonces);
  }

  /** A callback as WeChat would send it now: signed with the platform's token. */
  private final class Callback {
    final String encrypted;
    final String envelope;
    final String nonce;
    final String timestamp = now;
    final String signature;

    Callback(String encrypted, String envelope, String nonce) {
      this.encrypted = encrypted;
      this.envelope = envelope;
      this.nonce = nonce;
      this.signature = crypto.signature(timestamp, nonce, encrypted);
    }

    byte[] body() {
      return envelope.getBytes(StandardCharsets.UTF_8);
    }

    ComponentEvent open() {
      return opener.open(signature, timestamp, nonce, body());
    }
  }

  private static void assertRejected(Runnable call, Reason reason) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(CallbackRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(reason));
  }
}
