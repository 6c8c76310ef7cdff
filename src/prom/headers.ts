/** RFC 9110 token; values: visible ASCII, spaces and tabs (no CR/LF: a newline would start a new header). */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
export const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
