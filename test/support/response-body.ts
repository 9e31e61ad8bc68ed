// A response's body as tests want it: parsed JSON, or the text when it is not JSON (an HTML page).
export async function bodyOf(res: Response): Promise<any> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
