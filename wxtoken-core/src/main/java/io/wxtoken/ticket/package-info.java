/**
 * JS-SDK tickets ({@code jsapi_ticket}, {@code wx_card}): fetched with the app's current access
 * token, cached and refreshed centrally with one upstream call per app and type at a time, and the
 * JS-SDK signature computed from them.
 */
package io.wxtoken.ticket;
