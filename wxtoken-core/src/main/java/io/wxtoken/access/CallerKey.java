package io.wxtoken.access;

import io.wxtoken.token.Verifier;
import java.time.Instant;
import java.util.Objects;

/**
 * A caller key as stored: its id and scope, its state, and a keyed hash of its secret part (never
 * the key itself, which exists only in the answer that created it).
 *
 * @param id 16 hex digits, the part of the key shown in lists, logs and the audit log
 * @param spec what it may do
 * @param state active, disabled or revoked
 * @param createdAt when it was issued
 * @param verifier HMAC-SHA256 of its secret part under the server's hash key
 * @param rotatedFrom the id of the key this one replaces, or null
 */
public record CallerKey(String id, KeySpec spec, KeyState state, Instant createdAt,
    Verifier verifier, String rotatedFrom) {

  public CallerKey {
    if (!Keys.isId(id)) {
      throw new IllegalArgumentException("a key id is 16 lower-case hex digits");
    }
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(verifier, "verifier");
  }

  /** The same key in another state. */
  public CallerKey withState(KeyState value) {
    return new CallerKey(id, spec, value, createdAt, verifier, rotatedFrom);
  }

  /** The actor this key is in the audit log: {@code key:<id>:<name>}. */
  public String actor() {
    return "key:" + id + ":" + spec.name();
  }
}
