/**
 * The {@code wxtoken} command line: {@code serve}, {@code simulator} and {@code demo}. Every flag
 * has an environment-variable equivalent ({@code --port} / {@code WXTOKEN_PORT}, …); bad values
 * stop the program before anything starts, with a message naming the setting.
 */
package io.wxtoken.cli;
