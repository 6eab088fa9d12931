package io.wxtoken.audit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Audit records as JSON lines: to a file that is rotated by size ({@code audit.jsonl} becomes
 * {@code audit.jsonl.1}, and so on up to a number of files kept), or to a stream such as stdout
 * for container logs. The file is readable by its owner only.
 *
 * <p>Thread-safe: appends are serialized, each line written whole.
 */
public final class JsonLinesSink implements AuditSink, AutoCloseable {
  private final Path file;
  private final long maxBytes;
  private final int keep;
  private OutputStream out;
  private long size;

  private JsonLinesSink(Path file, long maxBytes, int keep, OutputStream out, long size) {
    this.file = file;
    this.maxBytes = maxBytes;
    this.keep = keep;
    this.out = out;
    this.size = size;
  }

  /**
   * Appends to {@code file} (created owner-only if absent), rotating it once it would pass
   * {@code maxBytes} and keeping {@code keep} older files.
   */
  public static JsonLinesSink toFile(Path file, long maxBytes, int keep) {
    if (maxBytes < 1024 || keep < 1) {
      throw new IllegalArgumentException("maxBytes >= 1024 and keep >= 1");
    }
    try {
      return new JsonLinesSink(file, maxBytes, keep, open(file), Files.size(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the audit file " + file, e);
    }
  }

  /** Writes to {@code stream} (e.g. {@code System.out}), never rotated and never closed here. */
  public static JsonLinesSink toStream(OutputStream stream) {
    return new JsonLinesSink(null, Long.MAX_VALUE, 0, stream, 0);
  }

  private static OutputStream open(Path file) throws IOException {
    if (Files.notExists(file)) {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
      }
    }
    return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  @Override
  public synchronized void append(AuditRecord record) {
    byte[] line = (record.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      if (file != null && size > 0 && size + line.length > maxBytes) {
        rotate();
      }
      out.write(line);
      out.flush();
      size += line.length;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the audit log", e);
    }
  }

  private void rotate() throws IOException {
    out.close();
    for (int i = keep - 1; i >= 1; i--) {
      Path older = sibling(i);
      if (Files.exists(older)) {
        Files.move(older, sibling(i + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(file, sibling(1), StandardCopyOption.REPLACE_EXISTING);
    out = open(file);
    size = 0;
  }

  private Path sibling(int n) {
    return file.resolveSibling(file.getFileName() + "." + n);
  }

  @Override
  public synchronized void close() {
    if (file != null) {
      try {
        out.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
