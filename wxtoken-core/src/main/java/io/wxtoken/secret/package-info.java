/**
 * AppSecrets encrypted at rest, so the server can refresh tokens on its own.
 *
 * <p>{@link io.wxtoken.secret.SecretBox} seals each app's secret with AES-256-GCM under a
 * {@link io.wxtoken.secret.MasterKey}, with the appId as associated data, into a short ASCII record
 * ({@code v1.<keyId>.<nonce>.<ciphertext>}) that the stores keep as bytes. The master key lives in
 * its own owner-only file ({@link io.wxtoken.secret.MasterKey#loadOrCreate}); losing it makes every
 * stored secret unreadable, so it must be backed up separately from the store.
 *
 * <p>Keys rotate without a migration: the box decrypts with whichever key a record names and
 * encrypts with the current one, and {@link io.wxtoken.secret.SecretBox#needsResealing} tells the
 * writer to re-encrypt a record on its next save.
 */
package io.wxtoken.secret;
