package io.wxtoken.client.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code wxtoken.*} properties:
 *
 * <pre>
 * wxtoken.server-url=http://wxtoken-a:8080,http://wxtoken-b:8080
 * wxtoken.apps[0].app-id=wx5f1e2d3c4b5a6978
 * wxtoken.apps[0].app-secret=${WX_MAIN_SECRET}
 * </pre>
 *
 * <p>A mutable bean for Spring's binder; {@link App#toString()} never prints a secret.
 */
@ConfigurationProperties(prefix = "wxtoken")
public class WxTokenProperties {
  /** The wxtoken server's base URL; several, comma-separated, to fail over between. */
  private List<String> serverUrl = new ArrayList<>();
  /** How long to wait for a connection to a server. */
  private Duration connectTimeout = Duration.ofSeconds(3);
  /** How long to wait for an answer once connected. */
  private Duration readTimeout = Duration.ofSeconds(15);
  /** The most one call may take, retries included. */
  private Duration callTimeout = Duration.ofSeconds(30);
  /** Retries after a network failure or HTTP 5xx, on the next server URL first (0 to 10). */
  private int maxRetries = 2;
  /** How long before its expiry a token is replaced. */
  private Duration refreshMargin = Duration.ofSeconds(60);
  /** The WeChat apps to provide tokens for. */
  private List<App> apps = new ArrayList<>();

  public List<String> getServerUrl() {
    return serverUrl;
  }

  public void setServerUrl(List<String> serverUrl) {
    this.serverUrl = serverUrl;
  }

  public Duration getConnectTimeout() {
    return connectTimeout;
  }

  public void setConnectTimeout(Duration connectTimeout) {
    this.connectTimeout = connectTimeout;
  }

  public Duration getReadTimeout() {
    return readTimeout;
  }

  public void setReadTimeout(Duration readTimeout) {
    this.readTimeout = readTimeout;
  }

  public Duration getCallTimeout() {
    return callTimeout;
  }

  public void setCallTimeout(Duration callTimeout) {
    this.callTimeout = callTimeout;
  }

  public int getMaxRetries() {
    return maxRetries;
  }

  public void setMaxRetries(int maxRetries) {
    this.maxRetries = maxRetries;
  }

  public Duration getRefreshMargin() {
    return refreshMargin;
  }

  public void setRefreshMargin(Duration refreshMargin) {
    this.refreshMargin = refreshMargin;
  }

  public List<App> getApps() {
    return apps;
  }

  public void setApps(List<App> apps) {
    this.apps = apps;
  }

  /** One WeChat app (公众号 or 小程序). A mutable bean for Spring's binder. */
  public static class App {
    /** The WeChat AppId. */
    private String appId;
    /** The WeChat AppSecret (prefer an environment variable or a secret store). */
    private String appSecret;
    /**
     * A caller key ({@code wxk_…}) issued by the wxtoken server's operator, instead of the
     * AppSecret: sent as {@code Authorization: Bearer}, so this service never holds the secret.
     */
    private String key;

    public String getAppId() {
      return appId;
    }

    public void setAppId(String appId) {
      this.appId = appId;
    }

    public String getAppSecret() {
      return appSecret;
    }

    public void setAppSecret(String appSecret) {
      this.appSecret = appSecret;
    }

    public String getKey() {
      return key;
    }

    public void setKey(String key) {
      this.key = key;
    }

    @Override
    public String toString() {
      return "App{appId=" + appId + ", appSecret=" + (appSecret == null ? "null" : "<redacted>")
          + ", key=" + (key == null ? "null" : "<redacted>") + "}";
    }
  }
}
