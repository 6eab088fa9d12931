package io.wxtoken.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.audit.AuditLog;
import io.wxtoken.audit.AuditQuery;
import io.wxtoken.audit.AuditRecord;
import io.wxtoken.audit.AuditStore;
import io.wxtoken.simulator.ManualClock;
import io.wxtoken.store.h2.H2TokenStore;
import io.wxtoken.token.SecretHasher;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Caller keys against the embedded store: every rule of the check, and every management step. */
class AccessControlTest {
  private static final String APP = "wx1111111111111111";
  private static final String OTHER_APP = "wx2222222222222222";
  private static final String ADDRESS = "10.1.2.3";

  @TempDir
  Path dir;

  private final ManualClock clock = ManualClock.startingAt("2026-03-01T02:00:00Z");
  private final SecretHasher hasher = new SecretHasher(new byte[32]);
  private H2TokenStore store;
  private AuditLog audit;
  private AccessControl access;

  @BeforeEach
  void open() {
    store = H2TokenStore.open(dir);
    AuditStore records = store.auditStore(1000);
    audit = new AuditLog(clock, List.of(), records);
    access = new AccessControl(store.keyStore(), hasher, clock,
        app -> app.equals(APP) || app.equals(OTHER_APP), audit);
  }

  @AfterEach
  void close() {
    audit.close();
    store.close();
  }

  private static KeySpec spec(Set<String> apps, Set<Operation> ops) {
    return new KeySpec("billing", apps, ops, List.of(), null, 0, 0);
  }

  private Issued tokenKey() {
    return access.create(spec(Set.of(APP), EnumSet.of(Operation.TOKEN)), "admin", "r1");
  }

  @Test
  void anIssuedKeyIsRecognizableShownOnceAndStoredOnlyAsAHash() {
    Issued issued = tokenKey();
    assertThat(issued.secretKey()).startsWith("wxk_" + issued.key().id() + "_").hasSize(64);
    assertThat(issued.toString()).doesNotContain(issued.secretKey());
    assertThat(KeyCodec.toJson(issued.key(), true)).doesNotContain(issued.secretKey())
        .doesNotContain(issued.secretKey().substring(21));
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS).accepted()).isTrue();
  }

  @Test
  void aKeySurvivesARestartOfTheStore() {
    Issued issued = tokenKey();
    audit.close();
    store.close();
    open();
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS).accepted()).isTrue();
    assertThat(access.list()).extracting(CallerKey::id).containsExactly(issued.key().id());
  }

  @Test
  void unknownMalformedAndWrongSecretKeysAreRefusedAlike() {
    Issued issued = tokenKey();
    String wrongSecret = issued.secretKey().substring(0, 63) + (issued.secretKey().endsWith("A") ? "B" : "A");
    for (String presented : List.of("wxk_", "wxk_nothex_x", "wxk_0123456789abcdef_" + "A".repeat(43),
        wrongSecret, issued.secretKey() + "x")) {
      Verdict v = access.check(presented, APP, Operation.TOKEN, ADDRESS);
      assertThat(v.refusal()).as(presented).isEqualTo(Refusal.UNKNOWN_KEY);
      assertThat(v.message()).isEqualTo("unknown or invalid caller key");
    }
    // A wrong secret part once does not spoil the verified one.
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS).accepted()).isTrue();
    assertThat(access.check(wrongSecret, APP, Operation.TOKEN, ADDRESS).accepted()).isFalse();
  }

  @Test
  void aKeyIsLimitedToItsAppsAndOperations() {
    Issued issued = tokenKey();
    assertThat(access.check(issued.secretKey(), OTHER_APP, Operation.TOKEN, ADDRESS).refusal())
        .isEqualTo(Refusal.APP_OUT_OF_SCOPE);
    assertThat(access.check(issued.secretKey(), APP, Operation.REFRESH, ADDRESS).refusal())
        .isEqualTo(Refusal.OPERATION_OUT_OF_SCOPE);
    assertThat(access.check(issued.secretKey(), APP, Operation.TICKET, ADDRESS).refusal())
        .isEqualTo(Refusal.OPERATION_OUT_OF_SCOPE);
    Issued all = access.create(spec(Set.of("*"), EnumSet.allOf(Operation.class)), "admin", "r2");
    assertThat(access.check(all.secretKey(), OTHER_APP, Operation.SIGN, ADDRESS).accepted()).isTrue();
  }

  @Test
  void aKeyWithRangesIsRefusedFromOutsideThem() {
    Issued issued = access.create(new KeySpec("ops", Set.of(APP), EnumSet.of(Operation.TOKEN),
        List.of(CidrRange.parse("10.1.0.0/16"), CidrRange.parse("::1")), null, 0, 0), "admin", null);
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, "10.1.200.9").accepted()).isTrue();
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, "0:0:0:0:0:0:0:1").accepted()).isTrue();
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, "10.2.0.1").refusal())
        .isEqualTo(Refusal.ADDRESS_OUT_OF_SCOPE);
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, null).refusal())
        .isEqualTo(Refusal.ADDRESS_OUT_OF_SCOPE);
  }

  @Test
  void aKeyStopsWorkingAtItsExpiry() {
    Instant expiry = clock.instant().plus(Duration.ofHours(1));
    Issued issued = access.create(new KeySpec("temp", Set.of(APP), EnumSet.of(Operation.TOKEN),
        List.of(), expiry, 0, 0), "admin", null);
    clock.advance(Duration.ofMinutes(59));
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS).accepted()).isTrue();
    clock.advance(Duration.ofMinutes(1));
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS).refusal())
        .isEqualTo(Refusal.EXPIRED);
  }

  @Test
  void disabledKeysCanBeEnabledAgainButRevokedOnesNever() {
    Issued issued = tokenKey();
    String id = issued.key().id();
    access.disable(id, "admin", null);
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS).refusal())
        .isEqualTo(Refusal.DISABLED);
    access.enable(id, "admin", null);
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS).accepted()).isTrue();
    access.revoke(id, "admin", null);
    assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS).refusal())
        .isEqualTo(Refusal.REVOKED);
    assertThatThrownBy(() -> access.enable(id, "admin", null))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("revoked for good");
    assertThatThrownBy(() -> access.rotate(id, "admin", null)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void rotationIssuesASecondKeyAndTheOldOneWorksUntilRevoked() {
    Issued old = tokenKey();
    Issued fresh = access.rotate(old.key().id(), "admin", "r9");
    assertThat(fresh.key().rotatedFrom()).isEqualTo(old.key().id());
    assertThat(fresh.key().spec()).isEqualTo(old.key().spec());
    assertThat(fresh.secretKey()).isNotEqualTo(old.secretKey());
    assertThat(access.check(old.secretKey(), APP, Operation.TOKEN, ADDRESS).accepted()).isTrue();
    assertThat(access.check(fresh.secretKey(), APP, Operation.TOKEN, ADDRESS).accepted()).isTrue();
    access.revoke(old.key().id(), "admin", null);
    assertThat(access.check(old.secretKey(), APP, Operation.TOKEN, ADDRESS).accepted()).isFalse();
    assertThat(access.check(fresh.secretKey(), APP, Operation.TOKEN, ADDRESS).accepted()).isTrue();
  }

  @Test
  void aKeyOverItsBurstIsRefusedUntilItsRateAllowsMore() {
    Issued issued = access.create(new KeySpec("slow", Set.of(APP), EnumSet.of(Operation.TOKEN),
        List.of(), null, 1, 5), "admin", null);
    for (int i = 0; i < 5; i++) {
      assertThat(access.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS).accepted()).isTrue();
    }
    Verdict over = access.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS);
    assertThat(over.refusal()).isEqualTo(Refusal.RATE_LIMITED);
    assertThat(over.refusal().countsAsFailure()).isFalse();
  }

  @Test
  void keysAreIssuedOnlyForAppsWhoseSecretIsStored() {
    assertThatThrownBy(() -> access.create(spec(Set.of("wx9999999999999999"),
        EnumSet.of(Operation.TOKEN)), "admin", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not registered");
    assertThat(access.list()).isEmpty();
  }

  @Test
  void specsRefuseBadNamesAppsAndRanges() {
    Set<Operation> token = EnumSet.of(Operation.TOKEN);
    assertThatThrownBy(() -> new KeySpec("bad name", Set.of(APP), token, List.of(), null, 0, 0))
        .hasMessageContaining("name");
    assertThatThrownBy(() -> new KeySpec("n".repeat(65), Set.of(APP), token, List.of(), null, 0, 0))
        .hasMessageContaining("name");
    assertThatThrownBy(() -> new KeySpec("a", Set.of("wx/../x"), token, List.of(), null, 0, 0))
        .hasMessageContaining("not an appId");
    assertThatThrownBy(() -> new KeySpec("a", Set.of("*", APP), token, List.of(), null, 0, 0))
        .hasMessageContaining("every app");
    assertThatThrownBy(() -> new KeySpec("a", Set.of(APP), Set.of(), List.of(), null, 0, 0))
        .hasMessageContaining("operations");
    assertThatThrownBy(() -> Operation.parse("passwd")).hasMessageContaining("allowed");
    for (String bad : List.of("10.0.0.0/33", "example.com", "10.0.0", "10.0.0.256", "::1/129", "1.2.3.4/",
        "localhost")) {
      assertThatThrownBy(() -> CidrRange.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(CidrRange.parse("10.1.2.3/8").text()).isEqualTo("10.0.0.0/8");
    assertThatThrownBy(() -> access.disable("nothex", "admin", null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> access.disable("0123456789abcdef", "admin", null))
        .isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void everyKeyEventIsAuditedWithItsActorAndNeverTheKey() {
    Issued issued = tokenKey();
    Issued rotated = access.rotate(issued.key().id(), "admin", "r2");
    access.disable(issued.key().id(), "admin", "r3");
    access.revoke(issued.key().id(), "admin", "r4");
    List<AuditRecord> records = audit.query(new AuditQuery(null, "admin", null, null, 100));
    assertThat(records).extracting(AuditRecord::event)
        .containsExactly("key.revoked", "key.disabled", "key.rotated", "key.created");
    assertThat(records).extracting(AuditRecord::requestId).containsExactly("r4", "r3", "r2", "r1");
    for (AuditRecord r : records) {
      assertThat(r.toJson()).doesNotContain(issued.secretKey()).doesNotContain(rotated.secretKey())
          .contains(issued.key().id());
    }
  }

  @Test
  void reloadFollowsAChangeAnotherInstanceMadeInTheSharedStore() {
    Issued issued = tokenKey();
    AccessControl other = new AccessControl(store.keyStore(), hasher, clock, app -> true, AuditLog.OFF);
    assertThat(other.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS).accepted()).isTrue();
    access.revoke(issued.key().id(), "admin", null);
    other.reload(issued.key().id());
    assertThat(other.check(issued.secretKey(), APP, Operation.TOKEN, ADDRESS).refusal())
        .isEqualTo(Refusal.REVOKED);
  }
}
