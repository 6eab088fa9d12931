package io.wxtoken.http;

import java.security.MessageDigest;
import java.util.zip.CRC32C;

/**
 * Token request bodies that were answered with a token, and what they parsed to.
 *
 * <p>A service asks for its token with the same bytes every time (same appId, same secret, same
 * SDK), so the JSON parse and validation of those bytes, the largest share of a cache hit's own
 * work, need to be done once. What {@link TokenRequest#parse(TokenRequest.Syntax, byte[],
 * TokenRequest.Kind)} returns depends on nothing but the syntax and the bytes, so a remembered
 * result is never stale; whether its secret is still right is the engine's question on every
 * request.
 *
 * <p>Direct-mapped: a body's hash picks one slot, and remembering a body replaces whatever the
 * slot held. A lookup is a hash and one comparison. A body is remembered the second time it is
 * answered: the first time only its hash is noted. Traffic in which every body is new (a client
 * that adds a nonce) then costs two hashes per request and creates nothing that outlives it;
 * remembering every body, or keeping them in a bounded cache with an eviction policy (Caffeine),
 * made such traffic slower than parsing alone, through the garbage collector (measured in
 * BENCHMARKS.md). Two hot bodies that share a slot only cost each other their parse.
 *
 * <p>Only bodies whose secret the engine has just accepted are remembered ({@link #remember} is
 * called after a hit): guessed secrets and junk never enter. Bodies are compared in constant time
 * ({@link MessageDigest#isEqual}), since they hold secrets. Bounded in slots and body size;
 * nothing here is logged or exposed.
 *
 * <p>Thread-safe: entries are immutable (final fields, so an entry read through the plain array
 * is always whole); a thread may see another's newest entry late, which costs only a parse.
 */
final class KnownRequests {
  /** Token request bodies are about 80 bytes; longer ones are parsed each time. */
  static final int MAX_BODY_BYTES = 512;

  private final Entry[] slots;
  /** Per slot, the hash of the body last answered there: the second sighting is remembered. */
  private final int[] seen;

  /** @param slots how many bodies may be remembered at once; a power of two */
  KnownRequests(int slots) {
    if (slots <= 0 || Integer.bitCount(slots) != 1) {
      throw new IllegalArgumentException("slots must be a power of two: " + slots);
    }
    this.slots = new Entry[slots];
    this.seen = new int[slots];
  }

  /** What {@code body}, read as {@code syntax}, parsed to when it was last answered; or null. */
  TokenRequest get(TokenRequest.Syntax syntax, byte[] body) {
    if (body.length > MAX_BODY_BYTES) {
      return null;
    }
    Entry entry = slots[hash(body) & (slots.length - 1)];
    return entry != null && entry.syntax() == syntax && MessageDigest.isEqual(entry.body(), body)
        ? entry.parsed() : null;
  }

  /**
   * Notes a token request body whose secret was just accepted, and remembers it if its hash was
   * the last noted in its slot (a body sent once is likely to be sent again only by a service
   * asking for its token). {@code body} must not change afterwards.
   */
  void remember(TokenRequest.Syntax syntax, byte[] body, TokenRequest parsed) {
    if (body.length > MAX_BODY_BYTES) {
      return;
    }
    int hash = hash(body);
    int slot = hash & (slots.length - 1);
    if (seen[slot] != hash) {
      seen[slot] = hash;
    } else {
      slots[slot] = new Entry(syntax, body, parsed);
    }
  }

  private static int hash(byte[] body) {
    CRC32C crc = new CRC32C(); // an intrinsic: a few ns for a whole body
    crc.update(body);
    return (int) crc.getValue();
  }

  /** A remembered body; compared only through {@link #get}, never by the record's equals. */
  private record Entry(TokenRequest.Syntax syntax, byte[] body, TokenRequest parsed) {}
}
