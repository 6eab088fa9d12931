package io.wxtoken.http;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The key an address is counted under by the throttle and the connection caps: an IPv4 address as
 * is, an IPv6 address by its /64 (one host is commonly given a whole /64, so counting single
 * addresses would let it rotate through billions). Stateless.
 */
final class AddressGroup {
  private AddressGroup() {}

  /** The group of a textual address; text that is not an IP literal is its own group. */
  static String of(String address) {
    if (address == null || address.indexOf(':') < 0 || address.length() > 64) {
      return address;
    }
    try {
      // An IPv6 literal (it has a ':'): parsed without any name lookup.
      String literal = address.startsWith("[") && address.endsWith("]")
          ? address.substring(1, address.length() - 1) : address;
      int zone = literal.indexOf('%');
      if (zone >= 0) {
        literal = literal.substring(0, zone);
      }
      if (!literal.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
        return address;
      }
      InetAddress parsed = InetAddress.getByName(literal);
      if (!(parsed instanceof Inet6Address)) {
        return parsed.getHostAddress(); // an IPv4-mapped address is its IPv4 address
      }
      byte[] bytes = parsed.getAddress();
      StringBuilder group = new StringBuilder(24);
      for (int i = 0; i < 8; i += 2) {
        group.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)))
            .append(':');
      }
      return group.append(":/64").toString();
    } catch (UnknownHostException e) {
      return address;
    }
  }
}
