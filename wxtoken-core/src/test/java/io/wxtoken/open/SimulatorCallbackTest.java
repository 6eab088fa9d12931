package io.wxtoken.open;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.wxtoken.simulator.ManualClock;
import io.wxtoken.simulator.OpenPlatformSimulator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * WeChat's side (the simulator's independent encryption) and ours ({@link CallbackOpener}) agree:
 * every event the simulator pushes over HTTP opens, and the chain it feeds works.
 */
class SimulatorCallbackTest {
  private static final String COMPONENT = "wxc0mp0nent000001";
  private static final String SECRET = "c0mp0nentsecret0c0mp0nentsecret0";
  private static final String TOKEN = "msgtoken";
  private static final String AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";

  private final ManualClock clock = ManualClock.startingAt("2026-12-02T08:00:00Z");
  private final OpenPlatformSimulator sim = OpenPlatformSimulator.builder().clock(clock)
      .platform(COMPONENT, SECRET, TOKEN, AES_KEY).start();
  private final CallbackOpener opener = new CallbackOpener(
      new MessageCrypto(TOKEN, AES_KEY, COMPONENT),
      new ReplayGuard(clock, clock::nanoTime, ReplayGuard.DEFAULT_WINDOW, 10_000));
  private final List<ComponentEvent> events = new CopyOnWriteArrayList<>();
  private final List<CallbackRejectedException.Reason> rejections = new CopyOnWriteArrayList<>();
  private final HttpServer callback;

  SimulatorCallbackTest() throws IOException {
    callback = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    callback.createContext("/open/callback", exchange -> {
      Map<String, String> query = new HashMap<>();
      for (String pair : exchange.getRequestURI().getRawQuery().split("&")) {
        String[] kv = pair.split("=", 2);
        query.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
      }
      byte[] body = exchange.getRequestBody().readNBytes(200_000);
      try {
        events.add(opener.open(query.get("msg_signature"), query.get("timestamp"),
            query.get("nonce"), body));
      } catch (CallbackRejectedException e) {
        rejections.add(e.reason());
      }
      byte[] reply = "success".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, reply.length);
      exchange.getResponseBody().write(reply);
      exchange.close();
    });
    callback.start();
    sim.callbackUrl(COMPONENT, URI.create("http://127.0.0.1:" + callback.getAddress().getPort()
        + "/open/callback"));
  }

  @AfterEach
  void stop() {
    sim.close();
    callback.stop(0);
  }

  @Test
  void opensEveryEventTheSimulatorPushesAndTheChainWorksFromThem() throws Exception {
    ComponentClient client = new ComponentClient(sim.baseUrl(), Duration.ofSeconds(1),
        Duration.ofSeconds(5), (e, o, n) -> { });

    assertThat(sim.pushDue()).isEqualTo(1);
    ComponentEvent.VerifyTicket ticket = (ComponentEvent.VerifyTicket) events.get(0);
    assertThat(ticket.ticket()).isEqualTo(sim.latestTicket(COMPONENT));
    assertThat(ticket.createTime()).isEqualTo(clock.instant());
    ComponentToken token = client.componentToken(COMPONENT, SECRET, ticket.ticket())
        .get(10, TimeUnit.SECONDS);

    sim.authorize(COMPONENT, "wxmerchant0000001", null);
    ComponentEvent.Authorized authorized = (ComponentEvent.Authorized) events.get(1);
    assertThat(authorized.update()).isFalse();
    AuthorizerGrant grant = client.queryAuth(COMPONENT, token.token(),
        authorized.authorizationCode()).get(10, TimeUnit.SECONDS);
    assertThat(sim.isAuthorizerTokenValid(grant.accessToken())).isTrue();

    sim.authorize(COMPONENT, "wxmerchant0000001", null);
    assertThat(((ComponentEvent.Authorized) events.get(2)).update()).isTrue();
    sim.deauthorize(COMPONENT, "wxmerchant0000001");
    assertThat(events.get(3)).isEqualTo(new ComponentEvent.Unauthorized(COMPONENT,
        clock.instant(), "wxmerchant0000001"));

    // Ten minutes on, the next ticket; none of the pushes was refused.
    clock.advance(Duration.ofMinutes(10));
    assertThat(sim.pushDue()).isEqualTo(1);
    assertThat(events).hasSize(5).last().isInstanceOf(ComponentEvent.VerifyTicket.class);
    assertThat(rejections).isEmpty();
    assertThat(sim.acknowledgedPushes()).isEqualTo(5);
  }
}
