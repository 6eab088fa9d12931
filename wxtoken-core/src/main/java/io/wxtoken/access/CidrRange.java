package io.wxtoken.access;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address range in CIDR notation ({@code 10.1.0.0/16}, {@code fd00::/8}, or one
 * address). Only literal addresses are accepted: parsing never looks a name up in DNS.
 *
 * <p>Immutable and thread-safe.
 *
 * @param text the range as given, normalized ({@code address/prefix})
 */
public record CidrRange(String text, byte[] network, int prefix) {

  /** The range's canonical text. */
  @Override
  public String toString() {
    return text;
  }

  /**
   * Parses {@code value}.
   *
   * @throws IllegalArgumentException if it is not a literal address with an optional prefix length
   */
  public static CidrRange parse(String value) {
    String v = value.trim();
    int slash = v.indexOf('/');
    String host = slash < 0 ? v : v.substring(0, slash);
    byte[] address = literal(host);
    if (address == null) {
      throw new IllegalArgumentException("'" + Keys.printable(value, 50)
          + "' is not a CIDR range (e.g. 10.0.0.0/8, 192.168.1.7, fd00::/8)");
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = v.substring(slash + 1);
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
          || Integer.parseInt(p) > bits) {
        throw new IllegalArgumentException("'" + Keys.printable(value, 50)
            + "': the prefix length must be 0-" + bits);
      }
      prefix = Integer.parseInt(p);
    }
    byte[] network = mask(address, prefix);
    String canonical;
    try {
      canonical = InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return new CidrRange(canonical, network, prefix);
  }

  /** Whether {@code address} (a literal, as a server sees a peer) is in this range. */
  public boolean contains(String address) {
    byte[] a = literal(address);
    if (a == null) {
      return false;
    }
    if (a.length == 16 && network.length == 4 && isMappedV4(a)) {
      a = java.util.Arrays.copyOfRange(a, 12, 16);
    }
    return a.length == network.length && java.util.Arrays.equals(mask(a, prefix), network);
  }

  private static boolean isMappedV4(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (0xff << (8 - keep));
    }
    return out;
  }

  /** The bytes of a literal IPv4/IPv6 address, or null; never a DNS lookup. */
  private static byte[] literal(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.isEmpty() || h.length() > 45) {
      return null;
    }
    boolean v6 = h.indexOf(':') >= 0;
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || c == '.'
          || (v6 && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
      if (!ok) {
        return null; // also keeps InetAddress from resolving a name
      }
    }
    if (!v6 && !isDottedQuad(h)) {
      return null;
    }
    try {
      return InetAddress.getByName(h).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean isDottedQuad(String h) {
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CidrRange r && r.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
