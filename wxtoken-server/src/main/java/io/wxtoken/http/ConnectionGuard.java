package io.wxtoken.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.net.SocketAddress;
import io.wxtoken.metrics.Metrics;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Bounds connections: how many are open at once (in all, and per address group, see
 * {@link AddressGroup}), and how long a request's line and headers may take to arrive once its
 * first byte has (a client sending one header line a minute would otherwise hold a connection
 * forever; Vert.x's idle timeout is reset by every byte).
 *
 * <p>The header deadline is two small Netty handlers around Vert.x's HTTP decoder: the one before
 * it notes when a request's first bytes arrive, the one after it when its head is complete and
 * when its answer has been written; a per-connection check at a fraction of the deadline closes
 * a connection whose head is late. A request costs two field writes.
 *
 * <p>Thread-safe: the counts are shared by every event loop; each connection's state is touched
 * only on its own event loop.
 */
final class ConnectionGuard implements Handler<HttpConnection> {
  private static final String DECODER = "httpDecoder";
  private static final String ENCODER = "httpEncoder";

  private final int maxConnections;
  private final int maxPerAddress;
  private final boolean perAddress;
  private final long headerNanos;
  private final LongSupplier nanoTime;
  private final Metrics metrics;
  private final LogLimiter log;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentMap<String, Integer> byAddress = new ConcurrentHashMap<>();

  /**
   * @param perAddress whether to cap connections per address: not when every connection comes
   *     from one trusted reverse proxy
   */
  ConnectionGuard(HttpLimits limits, boolean perAddress, LongSupplier nanoTime, Metrics metrics,
      LogLimiter log) {
    this.maxConnections = limits.maxConnections();
    this.maxPerAddress = limits.maxConnectionsPerAddress();
    this.perAddress = perAddress;
    this.headerNanos = limits.headerTimeout().toNanos();
    this.nanoTime = nanoTime;
    this.metrics = metrics;
    this.log = log;
  }

  @Override
  public void handle(HttpConnection connection) {
    SocketAddress remote = connection.remoteAddress();
    String group = perAddress && remote != null && remote.hostAddress() != null
        ? AddressGroup.of(remote.hostAddress()) : null;
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      refuse(connection, "the server's connection limit (" + maxConnections + ")");
      return;
    }
    if (group != null && !admit(group)) {
      open.decrementAndGet();
      refuse(connection, "the per-address connection limit (" + maxPerAddress + ") of "
          + Responder.sanitize(group));
      return;
    }
    connection.closeHandler(v -> {
      open.decrementAndGet();
      if (group != null) {
        release(group);
      }
    });
    if (connection instanceof HttpServerConnection server) {
      install(server.channelHandlerContext().pipeline());
    }
  }

  /** Open connections now, for tests and metrics. */
  int open() {
    return open.get();
  }

  /**
   * Counts a connection from {@code group} unless it is at its cap. Counting and removing a
   * group's entry happen in the map's per-key compute, so a count that drops to zero and is
   * removed can never swallow a concurrent increment.
   */
  private boolean admit(String group) {
    boolean[] admitted = {false};
    byAddress.compute(group, (g, count) -> {
      int n = count == null ? 0 : count;
      if (n >= maxPerAddress) {
        return count;
      }
      admitted[0] = true;
      return n + 1;
    });
    return admitted[0];
  }

  private void release(String group) {
    byAddress.computeIfPresent(group, (g, count) -> count <= 1 ? null : count - 1);
  }

  private void refuse(HttpConnection connection, String limit) {
    metrics.connectionRefused();
    log.warn("connection-limit", "closed a new connection at {}", limit);
    connection.close();
  }

  private void install(ChannelPipeline pipeline) {
    if (pipeline.get(DECODER) == null || pipeline.get(ENCODER) == null) {
      return; // not HTTP/1 (never here: h2c is off)
    }
    HeadState state = new HeadState();
    pipeline.addBefore(DECODER, "wxtoken-head-start", new HeadStart(state));
    // After the encoder: it then sees the decoded request going in and the answer's objects going
    // out, before they are encoded.
    pipeline.addAfter(ENCODER, "wxtoken-head-end", new HeadEnd(state));
  }

  /** Where the connection's current request is; touched only on its event loop. */
  private static final class HeadState {
    static final int IDLE = 0;
    static final int HEAD = 1;
    static final int BUSY = 2;
    int phase;
    long since;
  }

  /** Before the decoder: the first bytes of a request start its deadline. */
  private final class HeadStart extends ChannelInboundHandlerAdapter {
    private final HeadState state;
    private ScheduledFuture<?> check;

    HeadStart(HeadState state) {
      this.state = state;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50),
          Math.min(headerNanos / 4, TimeUnit.SECONDS.toNanos(1)));
      check = ctx.executor().scheduleAtFixedRate(() -> {
        if (state.phase == HeadState.HEAD && nanoTime.getAsLong() - state.since > headerNanos) {
          log.warn("header-timeout", "closed a connection whose request headers took longer than"
              + " {} ms", TimeUnit.NANOSECONDS.toMillis(headerNanos));
          ctx.close();
        }
      }, period, period, TimeUnit.NANOSECONDS);
      // A connection that says nothing at all is the idle timeout's.
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      check.cancel(false);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      check.cancel(false);
      super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (state.phase == HeadState.IDLE) {
        state.phase = HeadState.HEAD;
        state.since = nanoTime.getAsLong();
      }
      super.channelRead(ctx, msg);
    }
  }

  /** After the decoder: a decoded head ends the deadline; a written answer ends the request. */
  private static final class HeadEnd extends ChannelDuplexHandler {
    private final HeadState state;

    HeadEnd(HeadState state) {
      this.state = state;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof HttpRequest request) {
        state.phase = HeadState.BUSY;
        HttpVersion version = request.protocolVersion();
        if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0
            && request.decoderResult().isSuccess()) {
          // Vert.x would answer a 501 of its own ("http/1.1", "HTTP/9.9"): make it a request
          // that could not be read, answered 400 by HttpApi.invalid in the API's envelope.
          request.setDecoderResult(DecoderResult.failure(
              new IllegalArgumentException("unsupported HTTP version")));
        }
      }
      super.channelRead(ctx, msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
        throws Exception {
      if (msg instanceof LastHttpContent) {
        state.phase = HeadState.IDLE;
      }
      super.write(ctx, msg, promise);
    }
  }
}
