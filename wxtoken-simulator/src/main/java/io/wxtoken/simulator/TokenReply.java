package io.wxtoken.simulator;

/** The answer of a token endpoint: a {@link TokenGrant} or a {@link WeChatError}. */
sealed interface TokenReply permits TokenGrant, WeChatError {
}
