package io.wxtoken.open;

import io.wxtoken.open.CallbackRejectedException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Opens one platform's authorization-event callbacks: {@code POST <url>?timestamp=&nonce=
 * &msg_signature=&encrypt_type=aes} with the body {@code <xml><AppId/><Encrypt/></xml>}.
 *
 * <p>In order: the body is bounded and parsed (hardened XML), the {@code msg_signature} over the
 * {@code Encrypt} text is checked in constant time, the envelope's {@code AppId} must be this
 * platform, the timestamp must be within the {@link ReplayGuard}'s window and the message new, then
 * the ciphertext is decrypted (appid checked) and its XML read into a {@link ComponentEvent}. Any
 * failure is a {@link CallbackRejectedException} that names the reason only; nothing in it or in
 * this class's state comes from an unverified callback.
 *
 * <p>WeChat repeats a push it got no {@code success} for; such a repeat is {@link Reason#REPLAYED},
 * which a handler should acknowledge with {@code success} and otherwise ignore.
 *
 * <p>Thread-safe.
 */
public final class CallbackOpener {
  private static final int MAX_NONCE_CHARS = 64;
  private static final int SIGNATURE_CHARS = 40;
  private static final int MAX_VALUE_CHARS = 512;
  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern INFO_TYPE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern EPOCH_SECONDS = Pattern.compile("[0-9]{1,12}");

  private final MessageCrypto crypto;
  private final ReplayGuard replays;
  private final CallbackXml xml = new CallbackXml();

  /**
   * @param crypto the platform's message token, EncodingAESKey and component appid
   * @param replays the timestamp window and memory of accepted callbacks
   */
  public CallbackOpener(MessageCrypto crypto, ReplayGuard replays) {
    this.crypto = Objects.requireNonNull(crypto, "crypto");
    this.replays = Objects.requireNonNull(replays, "replays");
  }

  /**
   * @param msgSignature the {@code msg_signature} query parameter
   * @param timestamp the {@code timestamp} query parameter
   * @param nonce the {@code nonce} query parameter
   * @param body the request body, as received
   * @return the verified, decrypted event
   * @throws CallbackRejectedException if anything is wrong with the callback
   */
  public ComponentEvent open(String msgSignature, String timestamp, String nonce, byte[] body) {
    Objects.requireNonNull(body, "body");
    require(msgSignature);
    require(timestamp);
    require(nonce);
    if (nonce.length() > MAX_NONCE_CHARS || timestamp.length() > MAX_NONCE_CHARS) {
      throw new CallbackRejectedException(Reason.OVERSIZED);
    }
    if (msgSignature.length() != SIGNATURE_CHARS) {
      throw new CallbackRejectedException(Reason.BAD_SIGNATURE);
    }
    Map<String, String> envelope = xml.read(body, MessageCrypto.MAX_CIPHERTEXT_CHARS);
    String encrypted = field(envelope, "Encrypt");
    crypto.verify(msgSignature, timestamp, nonce, encrypted);
    String envelopeAppId = envelope.get("AppId");
    // The Open Platform names the platform in the envelope; other callback kinds name a ToUserName.
    if (envelopeAppId != null && !envelopeAppId.equals(crypto.appId())) {
      throw new CallbackRejectedException(Reason.WRONG_PLATFORM);
    }
    replays.admit(timestamp, nonce, msgSignature);
    String message = crypto.decrypt(encrypted);
    return event(xml.read(message.getBytes(StandardCharsets.UTF_8), MAX_VALUE_CHARS));
  }

  private ComponentEvent event(Map<String, String> fields) {
    String componentAppId = appId(fields, "AppId");
    if (!componentAppId.equals(crypto.appId())) {
      throw new CallbackRejectedException(Reason.WRONG_PLATFORM);
    }
    Instant created = epochSeconds(fields, "CreateTime");
    String infoType = field(fields, "InfoType");
    if (!INFO_TYPE.matcher(infoType).matches()) {
      throw new CallbackRejectedException(Reason.MALFORMED_XML);
    }
    return switch (infoType) {
      case "component_verify_ticket" ->
          new ComponentEvent.VerifyTicket(componentAppId, created,
              field(fields, "ComponentVerifyTicket"));
      case "authorized", "updateauthorized" ->
          new ComponentEvent.Authorized(componentAppId, created, appId(fields, "AuthorizerAppid"),
              field(fields, "AuthorizationCode"),
              epochSeconds(fields, "AuthorizationCodeExpiredTime"),
              fields.getOrDefault("PreAuthCode", ""), infoType.equals("updateauthorized"));
      case "unauthorized" ->
          new ComponentEvent.Unauthorized(componentAppId, created, appId(fields, "AuthorizerAppid"));
      default -> new ComponentEvent.Other(componentAppId, created, infoType);
    };
  }

  private static void require(String parameter) {
    if (parameter == null || parameter.isEmpty()) {
      throw new CallbackRejectedException(Reason.MISSING_FIELD);
    }
  }

  private static String field(Map<String, String> fields, String name) {
    String value = fields.get(name);
    if (value == null || value.isEmpty()) {
      throw new CallbackRejectedException(Reason.MISSING_FIELD);
    }
    return value;
  }

  private static String appId(Map<String, String> fields, String name) {
    String value = field(fields, name);
    if (!APP_ID.matcher(value).matches()) {
      throw new CallbackRejectedException(Reason.MALFORMED_XML);
    }
    return value;
  }

  private static Instant epochSeconds(Map<String, String> fields, String name) {
    String value = field(fields, name);
    if (!EPOCH_SECONDS.matcher(value).matches()) {
      throw new CallbackRejectedException(Reason.MALFORMED_XML);
    }
    return Instant.ofEpochSecond(Long.parseLong(value));
  }
}
