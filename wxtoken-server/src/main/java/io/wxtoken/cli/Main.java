package io.wxtoken.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Entry point of the {@code wxtoken} command. */
@Command(
    name = "wxtoken",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Central WeChat access_token server (中控服务器) with an Authing-compatible API.",
    subcommands = {ServeCommand.class, SimulatorCommand.class, DemoCommand.class, KeysCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  /** Environment variables behind flags, named in errors so a bad variable is easy to find. */
  static final Map<String, String> ENVIRONMENT = Map.ofEntries(
      Map.entry("--host", "WXTOKEN_HOST"),
      Map.entry("--port", "WXTOKEN_PORT"),
      Map.entry("--store", "WXTOKEN_STORE"),
      Map.entry("--wechat-base-url", "WXTOKEN_WECHAT_BASE_URL"),
      Map.entry("--token-api", "WXTOKEN_TOKEN_API"),
      Map.entry("--expires-at-format", "WXTOKEN_EXPIRES_AT_FORMAT"),
      Map.entry("--wechat-connect-timeout", "WXTOKEN_WECHAT_CONNECT_TIMEOUT"),
      Map.entry("--wechat-read-timeout", "WXTOKEN_WECHAT_READ_TIMEOUT"),
      Map.entry("--trust-forwarded-for", "WXTOKEN_TRUST_FORWARDED_FOR"),
      Map.entry("--master-key-file", "WXTOKEN_MASTER_KEY_FILE"),
      Map.entry("--apps-file", "WXTOKEN_APPS_FILE"),
      Map.entry("--verify-only", "WXTOKEN_VERIFY_ONLY"),
      Map.entry("--apps-only", "WXTOKEN_APPS_ONLY"),
      Map.entry("--unknown-app-checks", "WXTOKEN_UNKNOWN_APP_CHECKS"),
      Map.entry("--evict-idle-days", "WXTOKEN_EVICT_IDLE_DAYS"),
      Map.entry("--admin-token", "WXTOKEN_ADMIN_TOKEN"),
      Map.entry("--caller-auth", "WXTOKEN_CALLER_AUTH"),
      Map.entry("--audit-log", "WXTOKEN_AUDIT_LOG"));

  @Spec
  private CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (also used by tests). */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setParameterExceptionHandler(Main::badParameter);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof ConfigException || e instanceof IllegalStateException
          || e instanceof io.wxtoken.token.StoreException) {
        commandLine.getErr().println("wxtoken: " + e.getMessage());
        return 2;
      }
      throw e;
    });
    return cli;
  }

  private static int badParameter(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    String message = e.getMessage();
    if (e.getArgSpec() instanceof CommandLine.Model.OptionSpec option) {
      String env = ENVIRONMENT.get(option.longestName());
      if (env != null) {
        message += " (set by " + option.longestName() + " or " + env + ")";
      }
    }
    err.println("wxtoken: " + message);
    err.println("Run '" + cli.getCommandSpec().qualifiedName() + " --help' for usage.");
    return 2;
  }

  /** Reports the version from the jar manifest when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"wxtoken " + (v == null ? "development build" : v)};
    }
  }
}
