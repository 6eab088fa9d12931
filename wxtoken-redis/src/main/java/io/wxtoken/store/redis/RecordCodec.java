package io.wxtoken.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.wxtoken.token.AccessToken;
import io.wxtoken.token.AppRecord;
import io.wxtoken.token.QuotaUsage;
import io.wxtoken.token.Verifier;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Base64;

/**
 * The JSON forms of the values kept in Redis. Every value carries {@code "v"}, its format version:
 * a reader refuses versions it does not know (a newer wxtoken wrote them) instead of guessing.
 */
final class RecordCodec {
  static final int VERSION = 1;

  private final ObjectMapper json = new ObjectMapper();

  String encode(AppRecord record) {
    ObjectNode node = json.createObjectNode()
        .put("v", VERSION)
        .put("appId", record.appId())
        .put("verifier", Base64.getEncoder().encodeToString(record.verifier().bytes()))
        .put("sealedSecret", record.sealedSecret())
        .put("token", record.token().value())
        .put("fetchedAt", record.token().fetchedAt().toEpochMilli())
        .put("expiresAt", record.token().expiresAt().toEpochMilli())
        .put("generation", record.generation());
    return node.toString();
  }

  AppRecord decodeRecord(String value) {
    JsonNode node = read(value);
    AccessToken token = new AccessToken(node.path("token").asText(),
        Instant.ofEpochMilli(node.path("fetchedAt").asLong()),
        Instant.ofEpochMilli(node.path("expiresAt").asLong()));
    JsonNode sealed = node.path("sealedSecret");
    return new AppRecord(node.path("appId").asText(),
        Verifier.of(Base64.getDecoder().decode(node.path("verifier").asText())),
        sealed.isTextual() ? sealed.asText() : null, token, node.path("generation").asLong());
  }

  String encode(QuotaUsage usage) {
    return json.createObjectNode()
        .put("v", VERSION)
        .put("day", usage.day().toString())
        .put("calls", usage.calls())
        .put("forced", usage.forced())
        .put("lastForcedAt", usage.lastForcedAt().toEpochMilli())
        .toString();
  }

  QuotaUsage decodeQuota(String value) {
    JsonNode node = read(value);
    return new QuotaUsage(LocalDate.parse(node.path("day").asText()), node.path("calls").asInt(),
        node.path("forced").asInt(), Instant.ofEpochMilli(node.path("lastForcedAt").asLong()));
  }

  private JsonNode read(String value) {
    JsonNode node;
    try {
      node = json.readTree(value);
    } catch (JsonProcessingException e) {
      // The original message only: the full one quotes the value, which may hold a token.
      throw new IllegalStateException("unreadable value in Redis: " + e.getOriginalMessage(), e);
    }
    int version = node.path("v").asInt(-1);
    if (version != VERSION) {
      throw new IllegalStateException("value in Redis has format version " + version
          + "; this wxtoken reads version " + VERSION + " (was it written by a newer wxtoken?)");
    }
    return node;
  }
}
