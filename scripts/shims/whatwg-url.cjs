// Stands in for `whatwg-url` in the bundle. node-fetch 2 (under @kubernetes/client-node) loads it only
// to fall back on when Node has no URL class (`Url.URL || whatwgUrl.URL`), and Node always has one;
// the real module would load tr46's Unicode tables at start-up, ~8 MB of RSS for nothing.
module.exports = { URL, URLSearchParams };
