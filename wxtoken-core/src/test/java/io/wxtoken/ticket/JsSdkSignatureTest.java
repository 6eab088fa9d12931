package io.wxtoken.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class JsSdkSignatureTest {
  /** WeChat's published example (JS-SDK 说明文档, 附录1). */
  private static final String TICKET =
      "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";

  @Test
  void matchesWeChatsPublishedExample() {
    JsSdkSignature signature = JsSdkSignature.sign("wx1", TICKET,
        "http://mp.weixin.qq.com?params=value", 1414587457, "Wm3WZYTPz0wzccnW");

    assertThat(signature.signature()).isEqualTo("0f9de62fce790f9a083d5c99e95740ceb90c27ed");
    assertThat(signature.timestamp()).isEqualTo(1414587457);
    assertThat(signature.nonceStr()).isEqualTo("Wm3WZYTPz0wzccnW");
    assertThat(signature.appId()).isEqualTo("wx1");
  }

  @Test
  void signsThePageWithoutItsFragment() {
    JsSdkSignature withFragment = JsSdkSignature.sign("wx1", TICKET,
        "http://mp.weixin.qq.com?params=value#section-2", 1414587457, "Wm3WZYTPz0wzccnW");

    assertThat(withFragment.signature()).isEqualTo("0f9de62fce790f9a083d5c99e95740ceb90c27ed");
  }

  @Test
  void noncesAreSixteenAlphanumericsAndDiffer() {
    SecureRandom random = new SecureRandom();
    String a = JsSdkSignature.nonce(random);

    assertThat(a).matches("[A-Za-z0-9]{16}");
    assertThat(JsSdkSignature.nonce(random)).isNotEqualTo(a);
  }
}
