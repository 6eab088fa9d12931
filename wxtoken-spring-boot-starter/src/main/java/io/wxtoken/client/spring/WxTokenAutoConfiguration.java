package io.wxtoken.client.spring;

import io.wxtoken.client.AccessTokenProvider;
import io.wxtoken.client.WxTokenClient;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Spring Boot auto-configuration for wxtoken, active when {@code wxtoken.server-url} is set:
 *
 * <ul>
 *   <li>a {@link WxTokenClient} from {@code wxtoken.server-url} and the timeout and retry
 *       properties ({@link WxTokenProperties});
 *   <li>{@link AccessTokenProviders}, one {@link AccessTokenProvider} per {@code wxtoken.apps}
 *       entry;
 *   <li>with exactly one app, that {@link AccessTokenProvider} as a bean of its own.
 * </ul>
 *
 * <p>Each bean backs off when the application defines its own. Registered through
 * {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}, which
 * Spring Boot 2.7, 3.x and 4.x read. Stateless; the beans it makes are thread-safe.
 */
@AutoConfiguration
@ConditionalOnClass(WxTokenClient.class)
@Conditional(WxTokenAutoConfiguration.OnServerUrl.class)
@EnableConfigurationProperties(WxTokenProperties.class)
public class WxTokenAutoConfiguration {

  /**
   * @param properties the {@code wxtoken.*} properties
   * @return the client
   */
  @Bean
  @ConditionalOnMissingBean
  public WxTokenClient wxTokenClient(WxTokenProperties properties) {
    return WxTokenClient.builder()
        .serverUrls(properties.getServerUrl())
        .connectTimeout(properties.getConnectTimeout())
        .readTimeout(properties.getReadTimeout())
        .callTimeout(properties.getCallTimeout())
        .maxRetries(properties.getMaxRetries())
        .build();
  }

  /**
   * @param client the client
   * @param properties the {@code wxtoken.*} properties
   * @return a provider per configured app
   */
  @Bean
  @ConditionalOnMissingBean
  public AccessTokenProviders accessTokenProviders(WxTokenClient client,
      WxTokenProperties properties) {
    List<AccessTokenProvider> providers = new ArrayList<>();
    for (WxTokenProperties.App app : properties.getApps()) {
      if (app.getAppId() == null || (app.getAppSecret() == null) == (app.getKey() == null)) {
        throw new IllegalArgumentException("every wxtoken.apps entry needs app-id and either"
            + " app-secret or key (a caller key, wxk_…): " + app);
      }
      String credential = app.getKey() != null ? app.getKey() : app.getAppSecret();
      providers.add(AccessTokenProvider.builder(client, app.getAppId(), credential)
          .refreshMargin(properties.getRefreshMargin())
          .build());
    }
    return new AccessTokenProviders(providers);
  }

  /**
   * The one app's provider; it is closed with {@link AccessTokenProviders}, not on its own.
   *
   * @param providers the providers
   * @return the only configured app's provider
   */
  @Bean(destroyMethod = "")
  @ConditionalOnMissingBean
  @Conditional(OnSingleApp.class)
  public AccessTokenProvider accessTokenProvider(AccessTokenProviders providers) {
    return providers.asMap().values().iterator().next();
  }

  /**
   * {@code wxtoken.server-url} is set, in any form the binder reads (one URL, comma-separated,
   * indexed, or from the environment as {@code WXTOKEN_SERVERURL}).
   */
  static final class OnServerUrl extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context,
        AnnotatedTypeMetadata metadata) {
      List<String> urls = Binder.get(context.getEnvironment())
          .bind("wxtoken.server-url", Bindable.listOf(String.class))
          .orElse(new ArrayList<String>());
      return urls.isEmpty()
          ? ConditionOutcome.noMatch("wxtoken.server-url is not set")
          : ConditionOutcome.match("wxtoken.server-url is set");
    }
  }

  /** Exactly one entry under {@code wxtoken.apps}. */
  static final class OnSingleApp extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context,
        AnnotatedTypeMetadata metadata) {
      int apps = Binder.get(context.getEnvironment())
          .bind("wxtoken.apps", Bindable.listOf(WxTokenProperties.App.class))
          .map(List::size).orElse(0);
      return apps == 1
          ? ConditionOutcome.match("one app under wxtoken.apps")
          : ConditionOutcome.noMatch(apps + " apps under wxtoken.apps");
    }
  }
}
