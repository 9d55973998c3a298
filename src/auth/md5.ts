/** PostgreSQL's md5 password scheme: "md5" + md5(password || user), salted per connection. */
import { createHash, timingSafeEqual } from 'node:crypto';

const md5hex = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

export function md5Stored(user: string, password: string): string {
  return 'md5' + md5hex(password + user);
}

/** What the client must answer for a stored hash and a 4-byte salt. */
export function md5Expected(stored: string, salt: Buffer): string {
  return 'md5' + md5hex(Buffer.concat([Buffer.from(stored.slice(3)), salt]));
}

export function md5Matches(stored: string, salt: Buffer, response: string): boolean {
  const expected = Buffer.from(md5Expected(stored, salt));
  const got = Buffer.from(response);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
