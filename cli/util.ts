// Small helpers the CLI shares. Arrays from the input (objects, violations, errors, lines) have no
// bound, so they are never spread into a call (`push(...xs)`, `f.apply(null, xs)`): each element of a
// spread is an argument on the stack, and a few hundred thousand overflow it.

/** Appends every item of `items` to `target`, one by one (safe for arrays of any length). */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
    for (const item of items) {
        target.push(item);
    }
    return target;
}

/**
 * A short, printable excerpt of text from the input, for an error message: control characters,
 * invalid characters and anything outside printable ASCII are escaped (`\u0007`, `\ufffd`), and the
 * excerpt is cut at `max` characters with "…" (so a message never carries raw input bytes or a
 * megabyte of one line).
 */
export function excerpt(text: string, max = 40): string {
    const chars = Array.from(text.length > max * 2 ? text.slice(0, max * 2) : text);
    const cut = chars.length > max;
    let out = "";
    for (const ch of cut ? chars.slice(0, max) : chars) {
        const c = ch.codePointAt(0)!;
        if (ch === "\\") {
            out += "\\\\";
        } else if (ch === '"') {
            out += '\\"';
        } else if (c >= 0x20 && c < 0x7f) {
            out += ch;
        } else if (c === 0x0a) {
            out += "\\n";
        } else if (c === 0x09) {
            out += "\\t";
        } else if (c === 0x0d) {
            out += "\\r";
        } else if (c <= 0xffff) {
            out += `\\u${c.toString(16).padStart(4, "0")}`;
        } else {
            out += `\\u{${c.toString(16)}}`;
        }
    }
    return `"${out}${cut || text.length > chars.length ? "…" : ""}"`;
}

/**
 * Makes a parser's message safe to print: every quoted part (the parsers quote the offending token)
 * becomes a short escaped excerpt, and what is left is escaped and cut at `max` characters.
 */
export function cleanMessage(message: string, max = 320): string {
    const first = message.split("\n")[0].trim();
    const quoted = first.replace(/"((?:[^"\\]|\\.)*)"/g, (_m, inner: string) => excerpt(unescapeJsonish(inner)));
    let out = "";
    for (const ch of quoted) {
        const c = ch.codePointAt(0)!;
        out += c >= 0x20 && c !== 0x7f && !(c >= 0x80 && c < 0xa0) && c !== 0xfffd ? ch : `\\u${c.toString(16).padStart(4, "0")}`;
    }
    return out.length > max ? `${out.slice(0, max)}…` : out;
}

function unescapeJsonish(s: string): string {
    try {
        return JSON.parse(`"${s}"`);
    } catch {
        return s;
    }
}
