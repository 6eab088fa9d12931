package io.wxtoken.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's error table is {@link ApiError}: every code, with its metrics outcome. */
class ApiErrorTest {
  @Test
  void theReadmeListsEveryErrorWithItsCodesAndOutcome() throws IOException {
    List<String> rows = Files.readAllLines(Path.of("..", "README.md")).stream()
        .filter(line -> line.matches("\\| \\d{3} \\| (\\d{4}|–) \\|.*"))
        .toList();

    for (ApiError error : ApiError.values()) {
      assertThat(rows).as("README row for %s", error).anySatisfy(row -> assertThat(row)
          .startsWith("| " + error.statusCode + " | " + error.apiCode + " |")
          .endsWith("| `" + error.outcome + "` |"));
    }
    assertThat(rows).as("a row for every error and one for success")
        .hasSize(ApiError.values().length + 1);
  }

  @Test
  void apiCodesAreUnique() {
    assertThat(Arrays.stream(ApiError.values()).map(e -> e.apiCode)).doesNotHaveDuplicates();
  }
}
