package io.wxtoken.store.h2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A second process for {@link H2TokenStoreTest}: opens the store in {@code args[0]}, prints
 * {@code open} and holds it until its standard input is closed, like another server would.
 */
public final class StoreHolder {
  private StoreHolder() {
  }

  public static void main(String[] args) throws IOException {
    try (H2TokenStore store = H2TokenStore.open(Path.of(args[0]))) {
      System.out.write(("open " + store.directory() + "\n").getBytes(StandardCharsets.UTF_8));
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the store until the parent closes our stdin
      }
    }
  }
}
