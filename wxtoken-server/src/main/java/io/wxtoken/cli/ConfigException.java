package io.wxtoken.cli;

/** A setting has a value the server cannot use; the message names the flag and variable. */
final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ConfigException(String message) {
    super(message, null, false, false);
  }
}
