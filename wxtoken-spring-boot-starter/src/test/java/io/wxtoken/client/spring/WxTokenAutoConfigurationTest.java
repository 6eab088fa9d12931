package io.wxtoken.client.spring;

import static io.wxtoken.client.testing.LiveServer.APP_ID;
import static io.wxtoken.client.testing.LiveServer.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wxtoken.client.AccessTokenProvider;
import io.wxtoken.client.WxTokenClient;
import io.wxtoken.client.testing.LiveServer;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The auto-configuration in a real Spring context, against a real server and simulator. Run here
 * on Spring Boot 2.7 (what the starter is compiled against), and from this module's test jar on
 * Boot 3 and 4 by wxtoken-spring-boot3-tests and wxtoken-spring-boot4-tests.
 */
class WxTokenAutoConfigurationTest {
  private static final String SECOND_APP = "wx00000000000000b2";
  private static final String SECOND_SECRET = "00112233445566778899aabbccddeeff";

  @TempDir
  Path dir;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(WxTokenAutoConfiguration.class));

  @Test
  void oneAppGivesAClientAndAProviderThatServeAValidToken() {
    try (LiveServer live = LiveServer.start(dir)) {
      runner.withPropertyValues("wxtoken.server-url=" + live.url(),
          "wxtoken.apps[0].app-id=" + APP_ID, "wxtoken.apps[0].app-secret=" + SECRET)
          .run(context -> {
            assertThat(context).hasSingleBean(WxTokenClient.class)
                .hasSingleBean(AccessTokenProviders.class)
                .hasSingleBean(AccessTokenProvider.class);
            AccessTokenProvider provider = context.getBean(AccessTokenProvider.class);
            assertThat(provider.appId()).isEqualTo(APP_ID);
            assertThat(live.wechat.isValid(provider.currentToken())).isTrue();
            assertThat(context.getBean(AccessTokenProviders.class).get(APP_ID)).isSameAs(provider);
          });
    }
  }

  @Test
  void aCallerKeyInPlaceOfTheSecretGivesAProviderOfTheSameToken() {
    try (LiveServer live = LiveServer.start(dir)) {
      String token = live.server(0).tokens().register(APP_ID, SECRET, true).join().value();
      String key = live.server(0).access().create(new io.wxtoken.access.KeySpec("spring",
          java.util.Collections.singleton(APP_ID),
          java.util.EnumSet.of(io.wxtoken.access.Operation.TOKEN), java.util.Collections.emptyList(),
          null, 0, 0), "admin", null).secretKey();
      runner.withPropertyValues("wxtoken.server-url=" + live.url(),
          "wxtoken.apps[0].app-id=" + APP_ID, "wxtoken.apps[0].key=" + key)
          .run(context -> {
            AccessTokenProvider provider = context.getBean(AccessTokenProvider.class);
            assertThat(provider.currentToken()).isEqualTo(token);
            assertThat(context.getBean(WxTokenProperties.class).getApps().get(0).toString())
                .doesNotContain(key);
          });
      live.server(0).access().revoke(key.substring(4, 20), "admin", null);
      runner.withPropertyValues("wxtoken.server-url=" + live.url(),
          "wxtoken.apps[0].app-id=" + APP_ID, "wxtoken.apps[0].key=" + key)
          .run(context -> assertThatThrownBy(() -> context.getBean(AccessTokenProvider.class)
              .currentToken()).hasMessageNotContaining(key));
    }
  }

  @Test
  void severalAppsGiveOneProviderEachAndNoSingleProviderBean() {
    try (LiveServer live = LiveServer.start(dir, b -> b.app(SECOND_APP, SECOND_SECRET), c -> c, 1)) {
      runner.withPropertyValues("wxtoken.server-url=" + live.url(),
          "wxtoken.apps[0].app-id=" + APP_ID, "wxtoken.apps[0].app-secret=" + SECRET,
          "wxtoken.apps[1].app-id=" + SECOND_APP, "wxtoken.apps[1].app-secret=" + SECOND_SECRET)
          .run(context -> {
            assertThat(context).doesNotHaveBean(AccessTokenProvider.class);
            AccessTokenProviders providers = context.getBean(AccessTokenProviders.class);
            assertThat(providers.asMap()).containsOnlyKeys(APP_ID, SECOND_APP);
            assertThat(live.wechat.isValid(providers.get(SECOND_APP).currentToken())).isTrue();
            assertThatThrownBy(() -> providers.get("wx-unknown"))
                .isInstanceOf(IllegalArgumentException.class);
          });
    }
  }

  @Test
  void commaSeparatedServerUrlsFailOver() {
    try (LiveServer live = LiveServer.start(dir)) {
      runner.withPropertyValues("wxtoken.server-url=" + LiveServer.deadUrl() + "," + live.url(),
          "wxtoken.connect-timeout=1s", "wxtoken.max-retries=1",
          "wxtoken.apps[0].app-id=" + APP_ID, "wxtoken.apps[0].app-secret=" + SECRET)
          .run(context -> {
            assertThat(context.getBean(WxTokenClient.class).serverUrls()).hasSize(2);
            assertThat(live.wechat.isValid(
                context.getBean(AccessTokenProvider.class).currentToken())).isTrue();
          });
    }
  }

  @Test
  void propertiesAreBoundWithTheirDefaults() {
    runner.withPropertyValues("wxtoken.server-url=http://wxtoken:8080", "wxtoken.read-timeout=5s",
        "wxtoken.refresh-margin=2m")
        .run(context -> {
          WxTokenProperties p = context.getBean(WxTokenProperties.class);
          assertThat(p.getReadTimeout()).isEqualTo(Duration.ofSeconds(5));
          assertThat(p.getRefreshMargin()).isEqualTo(Duration.ofMinutes(2));
          assertThat(p.getConnectTimeout()).isEqualTo(Duration.ofSeconds(3));
          assertThat(p.getMaxRetries()).isEqualTo(2);
          assertThat(context).hasSingleBean(WxTokenClient.class)
              .doesNotHaveBean(AccessTokenProvider.class);
          assertThat(context.getBean(AccessTokenProviders.class).asMap()).isEmpty();
        });
  }

  @Test
  void staysOffWithoutAServerUrl() {
    runner.withPropertyValues("wxtoken.apps[0].app-id=" + APP_ID)
        .run(context -> assertThat(context).doesNotHaveBean(WxTokenClient.class)
            .doesNotHaveBean(AccessTokenProviders.class));
  }

  @Test
  void anApplicationsOwnClientWins() {
    runner.withUserConfiguration(OwnClient.class)
        .withPropertyValues("wxtoken.server-url=http://wxtoken:8080")
        .run(context -> assertThat(context.getBean(WxTokenClient.class).serverUrls())
            .containsExactly("http://own:9000"));
  }

  @Test
  void anAppWithoutASecretFailsTheStartWithoutEchoingAnything() {
    runner.withPropertyValues("wxtoken.server-url=http://wxtoken:8080",
        "wxtoken.apps[0].app-id=" + APP_ID)
        .run(context -> assertThat(context).hasFailed()
            .getFailure().hasStackTraceContaining("needs app-id and either app-secret or key"));
  }

  @Test
  void providersAreClosedWithTheContextAndSecretsAreNotShown() {
    try (LiveServer live = LiveServer.start(dir)) {
      AccessTokenProvider[] kept = new AccessTokenProvider[1];
      runner.withPropertyValues("wxtoken.server-url=" + live.url(),
          "wxtoken.apps[0].app-id=" + APP_ID, "wxtoken.apps[0].app-secret=" + SECRET)
          .run(context -> {
            kept[0] = context.getBean(AccessTokenProvider.class);
            assertThat(context.getBean(WxTokenProperties.class).getApps().toString())
                .contains(APP_ID).doesNotContain(SECRET);
          });

      assertThatThrownBy(kept[0]::currentToken).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void isFoundByTheRunningSpringBootsOwnAutoConfigurationLoader() {
    assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()))
        .contains(WxTokenAutoConfiguration.class.getName());
  }

  @Test
  void isRegisteredWhereSpringBoot27And3LookForAutoConfigurations() throws Exception {
    try (InputStream in = getClass().getResourceAsStream(
        "/META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports")) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim())
          .isEqualTo(WxTokenAutoConfiguration.class.getName());
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnClient {
    @Bean
    WxTokenClient ownClient() {
      return WxTokenClient.builder().serverUrl("http://own:9000").build();
    }
  }
}
