// Makes one call with Authing's official Node.js SDK (authing-node-sdk, unchanged) and prints
// what the SDK handed back, as JSON, for AuthingNodeSdkCompatibilityTest.
//
//   node client.js APP_HOST METHOD WECHAT_APP_ID [WECHAT_APP_SECRET]
//
// METHOD is getWechatMpAccessToken or getWechatMpAccessTokenInfo. A call the SDK rejects (it
// throws on a non-2xx answer, as axios does) exits 1 with the error on stderr.
"use strict";
const { AuthenticationClient } = require("authing-node-sdk");

const [appHost, method, appId, appSecret] = process.argv.slice(2);
if (!appHost || !method || !appId) {
  console.error("usage: node client.js APP_HOST METHOD WECHAT_APP_ID [WECHAT_APP_SECRET]");
  process.exit(2);
}

// The SDK wants an Authing app's id and secret to start; wxtoken ignores the x-authing-app-id
// header they become, and the secret is only sent to Authing's OIDC endpoints.
const client = new AuthenticationClient({
  appId: "authing-app-id",
  appSecret: "authing-app-secret",
  appHost,
  timeout: 10000,
});

client[method]({ appId, appSecret }).then(
  (reply) => process.stdout.write(JSON.stringify(reply)),
  (error) => {
    console.error(`${error.name}: ${error.message}`);
    process.exit(1);
  });
