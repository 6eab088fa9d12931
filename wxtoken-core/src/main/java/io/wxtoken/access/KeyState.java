package io.wxtoken.access;

/** Whether a caller key works: active, disabled for now (can be enabled again), or revoked for good. */
public enum KeyState {
  ACTIVE, DISABLED, REVOKED
}
