package io.wxtoken.http;

import static io.wxtoken.server.ServerHarness.APP_ID;
import static io.wxtoken.server.ServerHarness.SECRET;
import static io.wxtoken.server.ServerHarness.TOKEN_PATH;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxtoken.http.RawHttp.Answer;
import io.wxtoken.server.ServerHarness;
import io.wxtoken.server.ServerHarness.Reply;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** Bodies with trailing bytes, and what a hostile request may make the server log. */
class HardeningTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  ServerHarness h;
  ListAppender<ILoggingEvent> logs = new ListAppender<>();
  Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeEach
  void start() {
    h = ServerHarness.start(dir);
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void stop() {
    root.detachAppender(logs);
    h.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"{\"appId\":\"A\",\"appSecret\":\"S\"}{\"appId\":\"x\"}",
      "{\"appId\":\"A\",\"appSecret\":\"S\"} junk", "{\"appId\":\"A\",\"appSecret\":\"S\"}]"})
  void bytesAfterTheJsonObjectAreAMalformedBody(String template) {
    String body = template.replace("\"A\"", "\"" + APP_ID + "\"").replace("\"S\"", "\"" + SECRET + "\"");

    Reply reply = h.post(TOKEN_PATH, "application/json", body);

    assertThat(reply.statusCode()).isEqualTo(400);
    assertThat(reply.apiCode()).isEqualTo(1002);
  }

  @Test
  void theStableTokenParserRefusesTrailingBytesToo() throws Exception {
    String body = "{\"grant_type\":\"client_credential\",\"appid\":\"" + APP_ID + "\",\"secret\":\""
        + SECRET + "\"}{\"force_refresh\":true}";

    Reply reply = h.post("/cgi-bin/stable_token", "application/json", body);

    assertThat(reply.body().path("errcode").asInt()).isEqualTo(47001);
    assertThat(reply.body().has("access_token")).isFalse();
  }

  @Test
  void aMalformedTargetLogsNeitherItsQueryNorAStackTrace() throws Exception {
    String[] targets = {
        "/cgi-bin/token?grant_type=client_credential&appid=" + APP_ID + "&secret=" + SECRET + "%zz",
        "/cgi-bin/getcallbackip?access_token=" + SECRET + "%",
        "http://127.0.0.1:1/cgi-bin/token?secret=" + SECRET,
        "/cgi-bin/%zz?secret=" + SECRET};

    for (int round = 0; round < 20; round++) {
      for (String target : targets) {
        Answer answer = RawHttp.exchange(h.server().port(), "GET " + target + " HTTP/1.1\r\n"
            + "Host: x\r\nConnection: close\r\n\r\n");
        assertThat(answer.status()).isBetween(400, 499);
        assertThat(answer.body()).doesNotContain(SECRET);
        JSON.readTree(answer.body()); // WeChat's format or the envelope: JSON either way
      }
    }

    assertThat(logs.list).allSatisfy(event -> {
      assertThat(event.getFormattedMessage()).doesNotContain(SECRET);
      assertThat(event.getThrowableProxy()).isNull();
    });
  }

  @Test
  void thirdPartyLoggersArePinnedWhateverTheLogLevel() throws Exception {
    String config = new String(HardeningTest.class.getResourceAsStream("/logback.xml")
        .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

    for (String library : new String[] {"io.netty", "io.lettuce", "io.vertx", "org.h2"}) {
      assertThat(config).containsPattern("<logger name=\"" + library.replace(".", "\\.")
          + "\" level=\"(WARN|INFO)\"/>");
    }
  }
}
