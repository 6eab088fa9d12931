package io.wxtoken.simulator;

/** The two isolated token chains WeChat keeps per app. */
enum TokenKind {
  /** Minted by {@code GET /cgi-bin/token}. */
  CLASSIC,
  /** Minted by {@code POST /cgi-bin/stable_token}. */
  STABLE
}
