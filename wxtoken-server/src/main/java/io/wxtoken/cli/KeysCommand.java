package io.wxtoken.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.wxtoken.access.AccessControl;
import io.wxtoken.access.CallerKey;
import io.wxtoken.access.CidrRange;
import io.wxtoken.access.Issued;
import io.wxtoken.access.KeyCodec;
import io.wxtoken.access.KeySpec;
import io.wxtoken.access.Operation;
import io.wxtoken.server.OfflineKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wxtoken keys create|list|rotate|disable|enable|revoke}: manages caller keys through a
 * running server's admin API ({@code --server URL}, the admin token from
 * {@code WXTOKEN_ADMIN_TOKEN}, never a flag) or a stopped server's data directory
 * ({@code --data DIR}). A new key is printed once, on the first line; lists never show keys.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
    description = "Manage caller keys: credentials services present instead of the AppSecret.",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Rotate.class,
        KeysCommand.Disable.class, KeysCommand.Enable.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where the keys are: a running server or a data directory. */
  static final class Target {
    @Option(names = "--server", paramLabel = "URL",
        description = "A running server's base URL (admin token from WXTOKEN_ADMIN_TOKEN).")
    URI server;

    @Option(names = "--data", paramLabel = "DIR",
        description = "A stopped server's data directory (the embedded store).")
    Path data;
  }

  /** What every subcommand shares: the target, and output. */
  abstract static class Base implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    /** Runs against the data directory, or the admin API at {@code path} with {@code body}. */
    int run(Function<AccessControl, String> offline, String method, String path, String body) {
      if (target.data != null) {
        try (OfflineKeys keys = OfflineKeys.open(target.data, Clock.systemUTC())) {
          out().println(offline.apply(keys.access()));
          return 0;
        } catch (IllegalArgumentException | java.util.NoSuchElementException e) {
          throw new ConfigException(e.getMessage());
        }
      }
      return remote(method, path, body);
    }

    private int remote(String method, String path, String body) {
      String token = System.getenv("WXTOKEN_ADMIN_TOKEN");
      if (token == null || token.isBlank()) {
        throw new ConfigException("set WXTOKEN_ADMIN_TOKEN to the server's admin token");
      }
      URI base = Settings.httpUrl("--server", target.server.toString());
      HttpRequest request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/+$", "")
              + path))
          .timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + token.trim())
          .header("Content-Type", "application/json")
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body))
          .build();
      try {
        HttpResponse<String> response = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10)).build()
            .send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode answer = new ObjectMapper().readTree(response.body());
        if (response.statusCode() / 100 != 2) {
          throw new ConfigException("the server refused (" + response.statusCode() + "): "
              + answer.path("message").asText());
        }
        JsonNode data = answer.path("data");
        if (data.has("key")) {
          out().println(data.path("key").asText());
          out().println("# the key above is shown this once: give it to the service now");
          out().println(data.path("record"));
        } else if (data.isArray()) {
          data.forEach(out()::println);
        } else {
          out().println(data);
        }
        return 0;
      } catch (IOException e) {
        throw new ConfigException("cannot reach " + base + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      }
    }

    static String issued(Issued issued) {
      return issued.secretKey() + "\n# the key above is shown this once: give it to the service now\n"
          + KeyCodec.toJson(issued.key(), false);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Issue a new key.")
  static final class Create extends Base {
    @Option(names = "--name", required = true, description = "Who holds it, e.g. billing.")
    String name;

    @Option(names = "--apps", required = true, split = ",", paramLabel = "APPID",
        description = "AppIds it may use (registered with their secret stored), or * for all.")
    List<String> apps;

    @Option(names = "--ops", split = ",", defaultValue = "token", paramLabel = "OP",
        description = "Operations: token, refresh, ticket, sign (default ${DEFAULT-VALUE}).")
    List<String> ops;

    @Option(names = "--cidrs", split = ",", paramLabel = "CIDR",
        description = "Address ranges it may come from, e.g. 10.0.0.0/8 (default: anywhere).")
    List<String> cidrs = new ArrayList<>();

    @Option(names = "--expires", paramLabel = "INSTANT",
        description = "When it stops working, e.g. 2027-01-01T00:00:00Z (default: never).")
    String expires;

    @Option(names = "--rate", defaultValue = "0", description = "Requests a second (0: no limit).")
    int rate;

    @Option(names = "--burst", defaultValue = "0", description = "Requests at once (default: the rate).")
    int burst;

    @Override
    public Integer call() {
      KeySpec spec = spec();
      return run(access -> issued(access.create(spec, "admin", null)), "POST", "/admin/keys",
          json(spec));
    }

    private KeySpec spec() {
      try {
        Set<Operation> operations = EnumSet.noneOf(Operation.class);
        ops.forEach(o -> operations.add(Operation.parse(o)));
        List<CidrRange> ranges = cidrs.stream().map(CidrRange::parse).toList();
        Instant expiry = expires == null ? null : Instant.parse(expires);
        return new KeySpec(name, new LinkedHashSet<>(apps), operations, ranges, expiry, rate, burst);
      } catch (IllegalArgumentException | DateTimeParseException e) {
        throw new ConfigException("keys create: " + e.getMessage());
      }
    }

    private static String json(KeySpec spec) {
      StringWriter out = new StringWriter();
      try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
        g.writeStartObject();
        g.writeStringField("name", spec.name());
        g.writeArrayFieldStart("apps");
        for (String app : spec.apps()) {
          g.writeString(app);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("operations");
        for (Operation op : spec.operations()) {
          g.writeString(op.label());
        }
        g.writeEndArray();
        g.writeArrayFieldStart("cidrs");
        for (CidrRange range : spec.cidrs()) {
          g.writeString(range.text());
        }
        g.writeEndArray();
        if (spec.expiresAt() != null) {
          g.writeStringField("expiresAt", spec.expiresAt().toString());
        }
        g.writeNumberField("ratePerSecond", spec.ratePerSecond());
        g.writeNumberField("burst", spec.burst());
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toString();
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the keys (one JSON object a line; never the keys themselves).")
  static final class ListKeys extends Base {
    @Override
    public Integer call() {
      return run(access -> String.join("\n", access.list().stream()
          .map(k -> KeyCodec.toJson(k, false)).toList()), "GET", "/admin/keys", null);
    }
  }

  /** A subcommand acting on one key by id. */
  abstract static class OnKey extends Base {
    @Parameters(paramLabel = "ID", description = "The key's id (16 hex digits; the wxk_ key's middle part).")
    String id;
  }

  @Command(name = "rotate", mixinStandardHelpOptions = true,
      description = "Issue a second key with the same scope; the old one works until revoked.")
  static final class Rotate extends OnKey {
    @Override
    public Integer call() {
      return run(access -> issued(access.rotate(id, "admin", null)), "POST",
          "/admin/keys/" + id + "/rotate", null);
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true, description = "Stop a key until enabled.")
  static final class Disable extends OnKey {
    @Override
    public Integer call() {
      return run(access -> show(access.disable(id, "admin", null)), "POST",
          "/admin/keys/" + id + "/disable", null);
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true, description = "Let a disabled key work again.")
  static final class Enable extends OnKey {
    @Override
    public Integer call() {
      return run(access -> show(access.enable(id, "admin", null)), "POST",
          "/admin/keys/" + id + "/enable", null);
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Stop a key for good.")
  static final class Revoke extends OnKey {
    @Override
    public Integer call() {
      return run(access -> show(access.revoke(id, "admin", null)), "POST",
          "/admin/keys/" + id + "/revoke", null);
    }
  }

  static String show(CallerKey key) {
    return KeyCodec.toJson(key, false);
  }
}
