import bcrypt from 'bcryptjs';
import type { PasswordVerifier } from './htpasswd.js';

/** The bcrypt check for htpasswd entries (`$2a$`/`$2b$`/`$2y$`), from bcryptjs: never our own crypto. */
export async function loadBcryptVerifier(): Promise<{ verify: PasswordVerifier; source: string }> {
  return { verify: (password, hash) => bcrypt.compare(password, hash), source: 'bcryptjs' };
}
