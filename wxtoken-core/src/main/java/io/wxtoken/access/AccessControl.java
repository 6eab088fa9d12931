package io.wxtoken.access;

import dev.failsafe.RateLimiter;
import io.wxtoken.audit.AuditLog;
import io.wxtoken.secret.ConstantTime;
import io.wxtoken.token.SecretHasher;
import io.wxtoken.token.Verifier;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Issues caller keys and checks them. Keys are stored as HMAC-SHA256 of their secret part under
 * the server's hash key (domain-separated from AppSecret verifiers by a {@code wxk:} prefix that
 * no appId can carry), so the store alone cannot produce a working key.
 *
 * <p>The check ({@link #check}) is the key's hit path: a map lookup by id and, for the key that id
 * last verified, a constant-time compare with no HMAC; then state, expiry, CIDR, app, operation and
 * rate. Every key is held in memory; {@link #reload} and {@link #reconcile} follow changes other
 * instances make to a shared store.
 *
 * <p>Thread-safe. Management calls block on the store; {@link #check} never does.
 */
public final class AccessControl {
  /** Keys held at most; creation beyond it is refused. */
  static final int MAX_KEYS = 10_000;

  private final KeyStore store;
  private final SecretHasher hasher;
  private final Clock clock;
  private final Predicate<String> appHasStoredSecret;
  private final AuditLog audit;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Entry> keys = new ConcurrentHashMap<>();
  private volatile long version;

  /** A key held in memory: its record, its accepted verdict, the last secret verified, its limiter. */
  private static final class Entry {
    final CallerKey key;
    final Verdict accepted;
    final RateLimiter<Object> limiter;
    volatile String verifiedSecret;

    Entry(CallerKey key) {
      this.key = key;
      this.accepted = new Verdict(key, null, null);
      KeySpec s = key.spec();
      // Failsafe's bursty limiter: `burst` permits per burst/rate seconds, i.e. `rate` a second
      // on average and at most `burst` at once.
      this.limiter = s.ratePerSecond() == 0 ? null : RateLimiter.burstyBuilder(s.burst(),
          Duration.ofNanos(1_000_000_000L * s.burst() / s.ratePerSecond())).build();
    }

    boolean isVerifiedSecret(String secret) {
      String known = verifiedSecret;
      if (secret == known) {
        return known != null;
      }
      if (known == null || !ConstantTime.equals(known, secret)) {
        return false;
      }
      verifiedSecret = secret; // the same instance next time: the compare is then one identity test
      return true;
    }
  }

  /**
   * @param appHasStoredSecret whether an appId is known with its secret stored: a key may be
   *     issued only for such apps, since a key caller never brings a secret
   * @param audit where key events are recorded
   */
  public AccessControl(KeyStore store, SecretHasher hasher, Clock clock,
      Predicate<String> appHasStoredSecret, AuditLog audit) {
    this.store = store;
    this.hasher = hasher;
    this.clock = clock;
    this.appHasStoredSecret = appHasStoredSecret;
    this.audit = audit;
    reconcile();
    store.listen(this::reload);
  }

  /** Whether {@code credential} is a caller key by its shape ({@code wxk_…}). */
  public static boolean isKey(String credential) {
    return Keys.looksLikeKey(credential);
  }

  // ---------------------------------------------------------------------------- the check

  /**
   * Whether {@code presented} may perform {@code operation} on {@code appId} from
   * {@code address}. Consumes a permit of the key's rate when everything else passes.
   */
  public Verdict check(String presented, String appId, Operation operation, String address) {
    String id = Keys.idOf(presented);
    Entry entry = id == null ? null : keys.get(id);
    if (entry == null) {
      // As long as a wrong secret part takes, so the answer's timing tells nothing about ids.
      hasher.hash("wxk:0000000000000000", presented);
      return refused(null, Refusal.UNKNOWN_KEY, "unknown or invalid caller key");
    }
    if (!entry.isVerifiedSecret(presented)) {
      if (!entry.key.verifier().matches(hash(id, presented))) {
        return refused(null, Refusal.UNKNOWN_KEY, "unknown or invalid caller key");
      }
      entry.verifiedSecret = presented;
    }
    CallerKey key = entry.key;
    KeySpec spec = key.spec();
    if (key.state() != KeyState.ACTIVE) {
      return key.state() == KeyState.REVOKED
          ? refused(key, Refusal.REVOKED, "caller key " + id + " is revoked")
          : refused(key, Refusal.DISABLED, "caller key " + id + " is disabled");
    }
    if (spec.expiresAt() != null && clock.millis() >= spec.expiresAt().toEpochMilli()) {
      return refused(key, Refusal.EXPIRED, "caller key " + id + " expired at " + spec.expiresAt());
    }
    if (!spec.cidrs().isEmpty() && !inRanges(spec, address)) {
      return refused(key, Refusal.ADDRESS_OUT_OF_SCOPE, "caller key " + id
          + " may not be used from this address");
    }
    if (!spec.allowsApp(appId)) {
      return refused(key, Refusal.APP_OUT_OF_SCOPE, "caller key " + id
          + " may not be used for this appId");
    }
    if (!spec.operations().contains(operation)) {
      return refused(key, Refusal.OPERATION_OUT_OF_SCOPE, "caller key " + id
          + " may not be used for " + operation.label());
    }
    if (entry.limiter != null && !entry.limiter.tryAcquirePermit()) {
      return refused(key, Refusal.RATE_LIMITED, "caller key " + id + " is over its rate of "
          + spec.ratePerSecond() + "/s; slow down");
    }
    return entry.accepted;
  }

  private static boolean inRanges(KeySpec spec, String address) {
    if (address == null) {
      return false;
    }
    for (CidrRange range : spec.cidrs()) {
      if (range.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private static Verdict refused(CallerKey key, Refusal refusal, String message) {
    return new Verdict(key, refusal, message);
  }

  private Verifier hash(String id, String key) {
    return hasher.hash("wxk:" + id, key);
  }

  // ---------------------------------------------------------------------------- management

  /**
   * Issues a new key.
   *
   * @throws IllegalArgumentException if an app it names is unknown here or keeps no secret
   */
  public Issued create(KeySpec spec, String actor, String requestId) {
    Issued issued = issue(spec, null);
    audit.record("key.created", null, actor, requestId, "ok", 0, detail(issued.key()));
    return issued;
  }

  /**
   * A new key with the same name and scope as {@code id}, which keeps working until it is revoked
   * (rotation with overlap).
   *
   * @throws NoSuchElementException if there is no such key
   * @throws IllegalStateException if it is revoked
   */
  public Issued rotate(String id, String actor, String requestId) {
    CallerKey old = require(id);
    if (old.state() == KeyState.REVOKED) {
      throw new IllegalStateException("caller key " + id + " is revoked; create a new key instead");
    }
    Issued issued = issue(old.spec(), old.id());
    audit.record("key.rotated", null, actor, requestId, "ok", 0,
        detail(issued.key()) + " replaces " + id);
    return issued;
  }

  private Issued issue(KeySpec spec, String rotatedFrom) {
    for (String app : spec.apps()) {
      if (!app.equals(KeySpec.ALL_APPS) && !appHasStoredSecret.test(app)) {
        throw new IllegalArgumentException("apps: " + app + " is not registered here with its"
            + " secret stored; register it first (a key caller never brings the secret)");
      }
    }
    if (keys.size() >= MAX_KEYS) {
      throw new IllegalStateException("too many caller keys (" + MAX_KEYS + "); revoke unused ones");
    }
    String id = Keys.newId(random);
    String key = Keys.PREFIX + id + "_" + Keys.newSecret(random);
    CallerKey record = new CallerKey(id, spec, KeyState.ACTIVE, clock.instant(), hash(id, key),
        rotatedFrom);
    store.save(record);
    keys.put(id, new Entry(record));
    return new Issued(record, key);
  }

  /** Stops a key working until {@link #enable}d; revoked keys stay revoked. */
  public CallerKey disable(String id, String actor, String requestId) {
    return change(id, KeyState.DISABLED, "key.disabled", actor, requestId);
  }

  /** Lets a disabled key work again. */
  public CallerKey enable(String id, String actor, String requestId) {
    return change(id, KeyState.ACTIVE, "key.enabled", actor, requestId);
  }

  /** Stops a key working for good. */
  public CallerKey revoke(String id, String actor, String requestId) {
    return change(id, KeyState.REVOKED, "key.revoked", actor, requestId);
  }

  private CallerKey change(String id, KeyState state, String event, String actor,
      String requestId) {
    CallerKey current = require(id);
    if (current.state() == KeyState.REVOKED && state != KeyState.REVOKED) {
      throw new IllegalStateException("caller key " + id + " is revoked for good");
    }
    CallerKey changed = current.withState(state);
    store.save(changed);
    keys.put(id, new Entry(changed));
    audit.record(event, null, actor, requestId, "ok", 0, detail(changed));
    return changed;
  }

  private CallerKey require(String id) {
    if (!Keys.isId(id)) {
      throw new IllegalArgumentException("a key id is 16 lower-case hex digits");
    }
    Entry held = keys.get(id);
    Optional<CallerKey> key = held != null ? Optional.of(held.key) : store.load(id);
    return key.orElseThrow(() -> new NoSuchElementException("no caller key " + id));
  }

  /** Every key, oldest first. */
  public List<CallerKey> list() {
    List<CallerKey> all = new ArrayList<>();
    keys.values().forEach(e -> all.add(e.key));
    all.sort(Comparator.comparing(CallerKey::createdAt).thenComparing(CallerKey::id));
    return all;
  }

  /** The key with this id, if any. */
  public Optional<CallerKey> find(String id) {
    Entry e = keys.get(id);
    return e == null ? Optional.empty() : Optional.of(e.key);
  }

  /** Re-reads one key from the store (another instance changed it). */
  public void reload(String id) {
    if (!Keys.isId(id)) {
      return;
    }
    Optional<CallerKey> stored = store.load(id);
    if (stored.isEmpty()) {
      keys.remove(id);
      return;
    }
    replaceIfChanged(stored.get());
  }

  /**
   * Re-reads every key if the store's {@link KeyStore#version} moved since the last time: called
   * every second, the safety net under the change notices (one of which a reconnect may lose).
   */
  public void reconcileIfChanged() {
    long now = store.version();
    if (now != version) {
      reconcile();
      version = now;
    }
  }

  /** Re-reads every key from the store. */
  public void reconcile() {
    List<CallerKey> all = store.loadAll();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (CallerKey key : all) {
      seen.add(key.id());
      replaceIfChanged(key);
    }
    keys.keySet().retainAll(seen);
  }

  private void replaceIfChanged(CallerKey stored) {
    keys.compute(stored.id(), (id, held) -> held != null && held.key.equals(stored)
        ? held : new Entry(stored));
  }

  private static String detail(CallerKey key) {
    return "key " + key.id() + " (" + key.spec().name() + ")";
  }
}
