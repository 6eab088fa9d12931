package io.wxtoken.access;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a caller key is for: validated on construction, so a spec that exists is a valid one.
 *
 * @param name who holds the key, e.g. {@code billing}: 1-64 of {@code [A-Za-z0-9._-]}
 * @param apps the appIds it may get tokens for (1-100), or {@code ["*"]} for every app
 * @param operations what it may do (at least one)
 * @param cidrs where it may come from (at most 32 ranges); empty for anywhere
 * @param expiresAt when it stops working, or null for never
 * @param ratePerSecond requests a second on average, 0 for no limit
 * @param burst requests allowed at once above the rate (at least 1 when a rate is set)
 */
public record KeySpec(String name, Set<String> apps, Set<Operation> operations,
    List<CidrRange> cidrs, Instant expiresAt, int ratePerSecond, int burst) {
  /** The {@link #apps} entry that means every app. */
  public static final String ALL_APPS = "*";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  public KeySpec {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("name must be 1-64 characters of A-Z a-z 0-9 . _ -");
    }
    if (apps == null || apps.isEmpty() || apps.size() > 100) {
      throw new IllegalArgumentException("apps must list 1-100 appIds, or * for every app");
    }
    for (String app : apps) {
      if (app == null || !(app.equals(ALL_APPS) || APP_ID.matcher(app).matches())) {
        throw new IllegalArgumentException("apps: '" + Keys.printable(String.valueOf(app), 70)
            + "' is not an appId (1-64 characters of A-Z a-z 0-9 _ -) or *");
      }
    }
    if (apps.contains(ALL_APPS) && apps.size() > 1) {
      throw new IllegalArgumentException("apps: * already means every app; list no others with it");
    }
    if (operations == null || operations.isEmpty()) {
      throw new IllegalArgumentException("operations must name at least one of token, refresh,"
          + " ticket, sign");
    }
    if (cidrs == null || cidrs.size() > 32) {
      throw new IllegalArgumentException("cidrs: at most 32 ranges");
    }
    if (ratePerSecond < 0 || ratePerSecond > 1_000_000 || burst < 0 || burst > 1_000_000) {
      throw new IllegalArgumentException("rate and burst must be 0-1000000");
    }
    apps = Set.copyOf(new LinkedHashSet<>(apps));
    operations = Set.copyOf(operations);
    cidrs = List.copyOf(cidrs);
    if (ratePerSecond > 0 && burst == 0) {
      burst = ratePerSecond; // a second's worth at once, unless told otherwise
    }
  }

  /** Whether this key may be used for {@code appId}. */
  public boolean allowsApp(String appId) {
    return apps.contains(ALL_APPS) || apps.contains(appId);
  }
}
