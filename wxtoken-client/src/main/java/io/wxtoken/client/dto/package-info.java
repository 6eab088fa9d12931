/**
 * Authing-shaped request and response beans of the wxtoken API: {@link
 * io.wxtoken.client.dto.GetWechatAccessTokenDto} and {@link
 * io.wxtoken.client.dto.GetWechatAccessTokenRespDto} with its {@link
 * io.wxtoken.client.dto.GetWechatAccessTokenDataDto}, as in Authing's Java SDK, plus the same
 * shape for the guarded refresh, JS-SDK tickets and signatures.
 *
 * <p>They are plain mutable beans, so that code written against Authing's DTOs reads the same and
 * JSON binders can fill them. No {@code toString()} prints an appSecret, a token or a ticket.
 */
package io.wxtoken.client.dto;
