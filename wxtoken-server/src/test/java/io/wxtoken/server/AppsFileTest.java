package io.wxtoken.server;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wxtoken.simulator.WeChatSimulator.Endpoint;
import io.wxtoken.token.AppStatus;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code --apps-file}: apps registered at start, and every mistake in the file stops the start. */
class AppsFileTest {
  private static final String SHOP = "wx00000000000000a2";
  private static final String SHOP_SECRET = "fedcba9876543210fedcba9876543210";
  private static final String UNSET_VARIABLE = "WXTOKEN_TEST_SURELY_UNSET_7f3a9c";

  @TempDir
  Path dir;

  @TempDir
  Path config;

  private Path secretFile(String name, String content) throws Exception {
    Path file = config.resolve(name);
    Files.writeString(file, content);
    return file;
  }

  private Path appsFile(String json) throws Exception {
    Path file = config.resolve("apps.json");
    Files.writeString(file, json);
    return file;
  }

  private static String entry(String appId, String secret) {
    return "{\"appId\":\"" + appId + "\",\"secret\":\"" + secret + "\"}";
  }

  /** Polls (real time, at most 5 s) until {@code condition} holds. */
  private static boolean await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  @Test
  void appsInTheFileAreFetchedAtStartWithoutAnyCaller() throws Exception {
    Path main = secretFile("main.secret", SECRET + "\n"); // as `echo` writes it
    Path shop = secretFile("shop.secret", SHOP_SECRET);
    Path apps = appsFile("{\"apps\":[" + entry(APP_ID, "file:" + main) + ",{\"appId\":\"" + SHOP
        + "\",\"secret\":\"file:" + shop + "\",\"verifyOnly\":true}]}");

    try (ServerHarness h = ServerHarness.start(dir, sim -> sim.app(SHOP, SHOP_SECRET),
        c -> c.withAppsFile(apps))) {
      assertThat(await(() -> h.server().tokens().cached(APP_ID).isPresent()
          && h.server().tokens().cached(SHOP).isPresent())).isTrue();

      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, APP_ID)).isEqualTo(1);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, SHOP)).isEqualTo(1);
      String token = h.server().tokens().cached(APP_ID).orElseThrow().token().value();
      assertThat(h.wechat.isValid(token)).isTrue();
      AppStatus main1 = h.server().tokens().status(APP_ID).orElseThrow();
      assertThat(main1.secretStored()).isTrue();
      assertThat(main1.nextRefreshAt()).isNotNull();
      AppStatus shop1 = h.server().tokens().status(SHOP).orElseThrow();
      assertThat(shop1.secretStored()).isFalse();
      assertThat(shop1.nextRefreshAt()).isNull();

      // the first caller is a hit: no further upstream call
      assertThat(h.token(APP_ID, SECRET).accessToken()).isEqualTo(token);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, APP_ID)).isEqualTo(1);
      // and a caller must still present the right secret
      assertThat(h.token(APP_ID, "ffffffffffffffffffffffffffffffff").statusCode()).isEqualTo(403);
    }
  }

  @Test
  void withAppsOnlyAnotherAppIsRefusedLikeAWrongSecretWithoutAskingWeChat() throws Exception {
    Path apps = appsFile("{\"apps\":[" + entry(APP_ID, "file:" + secretFile("main.secret", SECRET))
        + "]}");

    try (ServerHarness h = ServerHarness.start(dir, sim -> sim.app(SHOP, SHOP_SECRET),
        c -> c.withAppsFile(apps).withAppsOnly(true))) {
      assertThat(h.token(APP_ID, SECRET).statusCode()).isEqualTo(200);

      ServerHarness.Reply other = h.token(SHOP, SHOP_SECRET);
      h.token(APP_ID, "ffffffffffffffffffffffffffffffff"); // this address's check of the minute
      ServerHarness.Reply wrong = h.token(APP_ID, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");

      assertThat(other.statusCode()).isEqualTo(wrong.statusCode());
      assertThat(other.apiCode()).isEqualTo(wrong.apiCode());
      assertThat(other.message().replace(SHOP, APP_ID)).isEqualTo(wrong.message());
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, SHOP)).isZero();
      assertThat(h.server().tokens().cached(SHOP)).isEmpty();
    }
  }

  @Test
  void anAppWeChatRefusesDoesNotStopTheServer() throws Exception {
    Path wrong = secretFile("wrong.secret", "ffffffffffffffffffffffffffffffff");
    Path main = secretFile("main.secret", SECRET);
    Path apps = appsFile("{\"apps\":[" + entry(SHOP, "file:" + wrong) + ","
        + entry(APP_ID, "file:" + main) + "]}");

    try (ServerHarness h = ServerHarness.start(dir, sim -> sim.app(SHOP, SHOP_SECRET),
        c -> c.withAppsFile(apps))) {
      assertThat(await(() -> h.server().tokens().cached(APP_ID).isPresent())).isTrue();
      assertThat(await(() -> h.wechat.calls(Endpoint.STABLE_TOKEN, SHOP) == 1)).isTrue();

      assertThat(h.server().tokens().cached(SHOP)).isEmpty();
      assertThat(h.server().tokens().cached(APP_ID)).isPresent();
      // the refused secret spent the registration's check, not the callers': one with the right
      // secret is served at once
      assertThat(h.token(SHOP, SHOP_SECRET).statusCode()).isEqualTo(200);
      assertThat(h.wechat.calls(Endpoint.STABLE_TOKEN, SHOP)).isEqualTo(2);
    }
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("inline secret", "{\"apps\":[" + entry(APP_ID, SECRET) + "]}",
            "apps[0] (" + APP_ID + "): secret must be a reference, env:NAME or file:PATH"),
        Arguments.of("missing env var", "{\"apps\":[" + entry(APP_ID, "env:" + UNSET_VARIABLE) + "]}",
            "apps[0] (" + APP_ID + "): environment variable " + UNSET_VARIABLE + " is not set"),
        Arguments.of("missing secret", "{\"apps\":[{\"appId\":\"" + APP_ID + "\"}]}",
            "apps[0] (" + APP_ID + "): secret is required"),
        Arguments.of("duplicate appId", "{\"apps\":[" + entry(APP_ID, "file:SECRET_FILE") + ","
            + entry(SHOP, "file:SECRET_FILE") + "," + entry(APP_ID, "file:SECRET_FILE") + "]}",
            "apps[2]: appId " + APP_ID + " is listed twice"),
        Arguments.of("bad appId", "{\"apps\":[" + entry(APP_ID, "file:SECRET_FILE") + ","
            + entry("wx/../a1", "file:SECRET_FILE") + "]}",
            "apps[1]: appId must be 1-64 letters, digits, '_' or '-'"),
        Arguments.of("missing appId", "{\"apps\":[{\"secret\":\"file:SECRET_FILE\"}]}",
            "apps[0]: appId must be"),
        Arguments.of("unreadable secret file",
            "{\"apps\":[" + entry(APP_ID, "file:/nonexistent/wx.secret") + "]}",
            "apps[0] (" + APP_ID + "): cannot read secret file /nonexistent/wx.secret"),
        Arguments.of("unknown field", "{\"apps\":[{\"appId\":\"" + APP_ID
            + "\",\"secret\":\"file:SECRET_FILE\",\"appSecret\":\"" + SECRET + "\"}]}",
            "is not valid: at apps[0].appSecret: unknown field \"appSecret\""),
        Arguments.of("malformed JSON", "{\"apps\":[" + entry(APP_ID, SECRET), "is not valid"),
        Arguments.of("not an apps document", "{\"applications\":[]}", "is not valid"),
        Arguments.of("no apps", "{}", "must hold {\"apps\": [...]}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void aBadFileStopsTheStartNamingTheFileAndEntryButNeverTheSecret(String name, String json,
      String message) throws Exception {
    assumeTrue(System.getenv(UNSET_VARIABLE) == null);
    Path secret = secretFile("wx.secret", SECRET);
    Path apps = appsFile(json.replace("SECRET_FILE", secret.toString()));
    Path store = dir.resolve("store");
    ServerConfig config = ServerConfig.defaults(store, URI.create("http://127.0.0.1:9"))
        .withPort(0).withAppsFile(apps);

    assertThatThrownBy(() -> WxTokenServer.start(config, Clock.systemUTC()).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("--apps-file " + apps)
        .hasMessageContaining(message)
        .message().doesNotContain(SECRET);
    // nothing was started or created
    assertThat(store).doesNotExist();
  }

  @Test
  void aSecretThatIsNotPrintableAsciiIsRefusedWithoutEchoingIt() throws Exception {
    Path secret = secretFile("wx.secret", "0123456789abcdef 0123456789abcdef");
    Path apps = appsFile("{\"apps\":[" + entry(APP_ID, "file:" + secret) + "]}");
    ServerConfig config = ServerConfig.defaults(dir, URI.create("http://127.0.0.1:9"))
        .withPort(0).withAppsFile(apps);

    assertThatThrownBy(() -> WxTokenServer.start(config, Clock.systemUTC()).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("apps[0] (" + APP_ID + "): the secret must be 1-128 visible ASCII")
        .message().doesNotContain("0123456789abcdef");
  }

  @Test
  void anUnknownFieldNamesItsEntry() throws Exception {
    Path secret = secretFile("wx.secret", SECRET);
    Path apps = appsFile("{\"apps\":[" + entry(APP_ID, "file:" + secret) + ",{\"appId\":\""
        + SHOP + "\",\"secret\":\"file:" + secret + "\",\"verifyonly\":true}]}");
    ServerConfig config = ServerConfig.defaults(dir, URI.create("http://127.0.0.1:9"))
        .withPort(0).withAppsFile(apps);

    assertThatThrownBy(() -> WxTokenServer.start(config, Clock.systemUTC()).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("verifyonly")
        .hasMessageContaining("apps[1]");
  }

  @Test
  void aSecretPastedWithoutQuotesIsNotEchoed() throws Exception {
    String secret = "abcdef0123456789abcdef0123456789";
    Path apps = appsFile("{\"apps\":[{\"appId\":\"" + APP_ID + "\",\"secret\":" + secret + "}]}");
    ServerConfig config = ServerConfig.defaults(dir, URI.create("http://127.0.0.1:9"))
        .withPort(0).withAppsFile(apps);

    assertThatThrownBy(() -> WxTokenServer.start(config, Clock.systemUTC()).close())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(apps.toString())
        .message().doesNotContain(secret);
  }
}
