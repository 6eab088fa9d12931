package io.wxtoken.wecom;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WeComJsSdkSignatureTest {
  /**
   * WeCom's published example: "JS-SDK 签名算法" (developer.work.weixin.qq.com/document/path/96909,
   * 最后更新 2024/11/14), section 签名算法, 示例: the same values and result as WeChat's.
   */
  private static final String TICKET =
      "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
  private static final String URL = "http://mp.weixin.qq.com?params=value";
  private static final long TIMESTAMP = 1414587457;
  private static final String NONCE = "Wm3WZYTPz0wzccnW";
  private static final String SIGNATURE = "0f9de62fce790f9a083d5c99e95740ceb90c27ed";

  @Test
  void signsWxConfigAsWeComsPublishedExample() {
    WeComJsSdkSignature signed =
        WeComJsSdkSignature.forConfig("ww1", TICKET, URL, TIMESTAMP, NONCE);

    assertThat(signed).isEqualTo(new WeComJsSdkSignature("ww1", null, TIMESTAMP, NONCE, SIGNATURE));
  }

  @Test
  void signsWxAgentConfigByTheSameRuleWithTheAppsTicket() {
    WeComJsSdkSignature signed =
        WeComJsSdkSignature.forAgentConfig("ww1", 1000002, TICKET, URL, TIMESTAMP, NONCE);

    assertThat(signed).isEqualTo(new WeComJsSdkSignature("ww1", 1000002, TIMESTAMP, NONCE, SIGNATURE));
  }

  @Test
  void signsThePageWithoutItsFragmentAndDependsOnEveryInput() {
    assertThat(WeComJsSdkSignature.forConfig("ww1", TICKET, URL + "#/home?x=1", TIMESTAMP, NONCE)
        .signature()).isEqualTo(SIGNATURE);
    assertThat(WeComJsSdkSignature.forConfig("ww1", TICKET + "x", URL, TIMESTAMP, NONCE).signature())
        .isNotEqualTo(SIGNATURE);
    assertThat(WeComJsSdkSignature.forConfig("ww1", TICKET, URL + "&a", TIMESTAMP, NONCE).signature())
        .isNotEqualTo(SIGNATURE);
    assertThat(WeComJsSdkSignature.forConfig("ww1", TICKET, URL, TIMESTAMP + 1, NONCE).signature())
        .isNotEqualTo(SIGNATURE);
    assertThat(WeComJsSdkSignature.forConfig("ww1", TICKET, URL, TIMESTAMP, NONCE + "x").signature())
        .isNotEqualTo(SIGNATURE);
  }
}
