export async function runDemo(_o: { output: string }, print: (t: string) => void): Promise<void> { print('demo'); }
