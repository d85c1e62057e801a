export const maxApiVersion = '1.50';
export const minApiVersion = '1.24';
export const engineVersion = '28.2.2';

/** Headers every response carries, as moby's version middleware sets them. */
export const apiHeaders: Record<string, string> = {
  'Api-Version': maxApiVersion,
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  Server: `Docker/${engineVersion} (linux)`,
};

export function compareVersions(a: string, b: string): number {
  const [a1 = 0, a2 = 0] = a.split('.').map(Number);
  const [b1 = 0, b2 = 0] = b.split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}
