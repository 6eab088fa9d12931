package io.wxtoken.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON lines: one record a line, read back whole; files rotated by size and private to their owner. */
class JsonLinesSinkTest {
  @TempDir
  Path dir;

  private static AuditRecord record(int n) {
    return new AuditRecord(Instant.parse("2026-03-01T02:00:00Z").plusSeconds(n), "token.forced_refresh",
        "wx1111111111111111", "key:0123456789abcdef:billing", "req-" + n, "ok", 0, "line \"" + n + "\"\n");
  }

  @Test
  void writesOneParsableRecordPerLine() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    JsonLinesSink sink = JsonLinesSink.toStream(out);
    sink.append(record(1));
    sink.append(record(2));
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(AuditRecord.fromJson(lines.get(1))).isEqualTo(record(2));
  }

  @Test
  void rotatesTheFileBySizeKeepingTheNewestFiles() throws Exception {
    Path file = dir.resolve("audit.jsonl");
    try (JsonLinesSink sink = JsonLinesSink.toFile(file, 1024, 2)) {
      for (int i = 0; i < 40; i++) {
        sink.append(record(i));
      }
    }
    assertThat(Files.size(file)).isLessThanOrEqualTo(1024);
    assertThat(dir.resolve("audit.jsonl.1")).exists();
    assertThat(dir.resolve("audit.jsonl.2")).exists();
    assertThat(dir.resolve("audit.jsonl.3")).doesNotExist();
    List<String> newest = Files.readAllLines(file);
    assertThat(AuditRecord.fromJson(newest.get(newest.size() - 1))).isEqualTo(record(39));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
  }
}
