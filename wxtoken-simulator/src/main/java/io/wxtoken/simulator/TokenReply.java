package io.wxtoken.simulator;

/**
 * The answer of a token or ticket endpoint: a {@link TokenGrant}, a {@link TicketGrant} or a
 * {@link WeChatError}.
 */
sealed interface TokenReply permits TokenGrant, TicketGrant, WeChatError {
}
