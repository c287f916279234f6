import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 5995:
/***/ ((__unused_webpack_module, exports) => {

var __webpack_unused_export__;

/*!
 * content-type
 * Copyright(c) 2015 Douglas Christopher Wilson
 * MIT Licensed
 */
__webpack_unused_export__ = ({ value: true });
__webpack_unused_export__ = format;
exports.qg = parse;
const TEXT_REGEXP = /^[\u0009\u0020-\u007e\u0080-\u00ff]*$/;
const TOKEN_REGEXP = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * RegExp to match chars that must be quoted-pair in RFC 9110 sec 5.6.4
 */
const QUOTE_REGEXP = /[\\"]/g;
/**
 * RegExp to match type in RFC 9110 sec 8.3.1
 *
 * media-type = type "/" subtype
 * type       = token
 * subtype    = token
 */
const TYPE_REGEXP = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * Null object perf optimization. Faster than `Object.create(null)` and `{ __proto__: null }`.
 */
const NullObject = /* @__PURE__ */ (() => {
    const C = function () { };
    C.prototype = Object.create(null);
    return C;
})();
/**
 * Format an object into a `Content-Type` header.
 */
function format(obj) {
    const { type, parameters } = obj;
    if (!type || !TYPE_REGEXP.test(type)) {
        throw new TypeError(`Invalid type: ${type}`);
    }
    let result = type;
    if (parameters) {
        for (const param of Object.keys(parameters)) {
            if (!TOKEN_REGEXP.test(param)) {
                throw new TypeError(`Invalid parameter name: ${param}`);
            }
            result += `; ${param}=${qstring(parameters[param])}`;
        }
    }
    return result;
}
/**
 * Parse a `Content-Type` header.
 */
function parse(header, options) {
    const stopChar = options?.comma === true ? COMMA : 65536; // Sentinel for "no stop char".
    const len = header.length;
    let index = skipOWS(header, options?.start ?? 0, len);
    const valueStart = index;
    index = skipValue(header, index, len, stopChar);
    const valueEnd = trailingOWS(header, valueStart, index);
    const type = header.slice(valueStart, valueEnd).toLowerCase();
    if (options?.parameters === false) {
        return { type, index, parameters: new NullObject() };
    }
    return parseParameters(header, type, index, len, stopChar);
}
const SP = 32; // " "
const HTAB = 9; // "\t"
const SEMI = 59; // ";"
const EQ = 61; // "="
const DQUOTE = 34; // '"'
const BSLASH = 92; // "\\"
const COMMA = 44; // ","
/**
 * Parses the parameters of a `Content-Type` header starting at the given index.
 */
function parseParameters(header, type, index, len, stopChar) {
    const parameters = new NullObject();
    parameter: while (index < len) {
        if (header.charCodeAt(index) === stopChar)
            break;
        index = skipOWS(header, index + 1 /* Skip over ; */, len);
        const keyStart = index;
        while (index < len) {
            const code = header.charCodeAt(index);
            if (code === stopChar)
                break parameter;
            if (code === SEMI)
                continue parameter;
            if (code === EQ) {
                const keyEnd = trailingOWS(header, keyStart, index);
                const key = header.slice(keyStart, keyEnd).toLowerCase();
                index = skipOWS(header, index + 1, len);
                if (index < len && header.charCodeAt(index) === DQUOTE) {
                    index++;
                    let value = "";
                    while (index < len) {
                        const code = header.charCodeAt(index++);
                        if (code === DQUOTE) {
                            index = skipValue(header, index, len, stopChar);
                            if (parameters[key] === undefined)
                                parameters[key] = value;
                            break;
                        }
                        if (code === BSLASH && index < len) {
                            value += header[index++];
                            continue;
                        }
                        value += String.fromCharCode(code);
                    }
                    continue parameter;
                }
                const valueStart = index;
                index = skipValue(header, index, len, stopChar);
                if (parameters[key] === undefined) {
                    const valueEnd = trailingOWS(header, valueStart, index);
                    parameters[key] = header.slice(valueStart, valueEnd);
                }
                continue parameter;
            }
            index++;
        }
    }
    return { type, index, parameters };
}
/**
 * Skip over characters until a semicolon or other exit character.
 */
function skipValue(str, index, len, stopChar) {
    while (index < len) {
        const code = str.charCodeAt(index);
        if (code === SEMI || code === stopChar)
            break;
        index++;
    }
    return index;
}
/**
 * Skip optional whitespace (OWS) in an HTTP header value.
 *
 * OWS is defined in RFC 9110 sec 5.6.3 as SP (" ") or HTAB ("\t").
 */
function skipOWS(header, index, len) {
    while (index < len) {
        const char = header.charCodeAt(index);
        if (char !== SP && char !== HTAB)
            break;
        index++;
    }
    return index;
}
/**
 * Trim optional whitespace (OWS) from the end of a substring.
 *
 * OWS is defined in RFC 9110 sec 5.6.3 as SP (" ") or HTAB ("\t").
 */
function trailingOWS(header, start, end) {
    while (end > start) {
        const char = header.charCodeAt(end - 1);
        if (char !== SP && char !== HTAB)
            break;
        end--;
    }
    return end;
}
/**
 * Serialize a parameter value.
 */
function qstring(str) {
    if (TOKEN_REGEXP.test(str))
        return str;
    if (TEXT_REGEXP.test(str))
        return `"${str.replace(QUOTE_REGEXP, "\\$&")}"`;
    throw new TypeError(`Invalid parameter value: ${str}`);
}
//# sourceMappingURL=index.js.map

/***/ }),

/***/ 8847:
/***/ ((__unused_webpack_module, exports) => {

var __webpack_unused_export__;

/*!
 * content-type
 * Copyright(c) 2015 Douglas Christopher Wilson
 * MIT Licensed
 */
__webpack_unused_export__ = ({ value: true });
__webpack_unused_export__ = format;
exports.qg = parse;
const TEXT_REGEXP = /^[\u0009\u0020-\u007e\u0080-\u00ff]*$/;
const TOKEN_REGEXP = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * RegExp to match chars that must be quoted-pair in RFC 9110 sec 5.6.4
 */
const QUOTE_REGEXP = /[\\"]/g;
/**
 * RegExp to match type in RFC 9110 sec 8.3.1
 *
 * media-type = type "/" subtype
 * type       = token
 * subtype    = token
 */
const TYPE_REGEXP = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * Null object perf optimization. Faster than `Object.create(null)` and `{ __proto__: null }`.
 */
const NullObject = /* @__PURE__ */ (() => {
    const C = function () { };
    C.prototype = Object.create(null);
    return C;
})();
/**
 * Format an object into a `Content-Type` header.
 */
function format(obj) {
    const { type, parameters } = obj;
    if (!type || !TYPE_REGEXP.test(type)) {
        throw new TypeError(`Invalid type: ${type}`);
    }
    let result = type;
    if (parameters) {
        for (const param of Object.keys(parameters)) {
            if (!TOKEN_REGEXP.test(param)) {
                throw new TypeError(`Invalid parameter name: ${param}`);
            }
            result += `; ${param}=${qstring(parameters[param])}`;
        }
    }
    return result;
}
/**
 * Parse a `Content-Type` header.
 */
function parse(header, options) {
    const stopChar = options?.comma === true ? COMMA : 65536; // Sentinel for "no stop char".
    const len = header.length;
    let index = skipOWS(header, options?.start ?? 0, len);
    const valueStart = index;
    index = skipValue(header, index, len, stopChar);
    const valueEnd = trailingOWS(header, valueStart, index);
    const type = header.slice(valueStart, valueEnd).toLowerCase();
    if (options?.parameters === false) {
        return { type, index, parameters: new NullObject() };
    }
    return parseParameters(header, type, index, len, stopChar);
}
const SP = 32; // " "
const HTAB = 9; // "\t"
const SEMI = 59; // ";"
const EQ = 61; // "="
const DQUOTE = 34; // '"'
const BSLASH = 92; // "\\"
const COMMA = 44; // ","
/**
 * Parses the parameters of a `Content-Type` header starting at the given index.
 */
function parseParameters(header, type, index, len, stopChar) {
    const parameters = new NullObject();
    parameter: while (index < len) {
        if (header.charCodeAt(index) === stopChar)
            break;
        index = skipOWS(header, index + 1 /* Skip over ; */, len);
        const keyStart = index;
        while (index < len) {
            const code = header.charCodeAt(index);
            if (code === stopChar)
                break parameter;
            if (code === SEMI)
                continue parameter;
            if (code === EQ) {
                const keyEnd = trailingOWS(header, keyStart, index);
                const key = header.slice(keyStart, keyEnd).toLowerCase();
                index = skipOWS(header, index + 1, len);
                if (index < len && header.charCodeAt(index) === DQUOTE) {
                    index++;
                    let value = "";
                    while (index < len) {
                        const code = header.charCodeAt(index++);
                        if (code === DQUOTE) {
                            index = skipValue(header, index, len, stopChar);
                            if (parameters[key] === undefined)
                                parameters[key] = value;
                            break;
                        }
                        if (code === BSLASH && index < len) {
                            value += header[index++];
                            continue;
                        }
                        value += String.fromCharCode(code);
                    }
                    continue parameter;
                }
                const valueStart = index;
                index = skipValue(header, index, len, stopChar);
                if (parameters[key] === undefined) {
                    const valueEnd = trailingOWS(header, valueStart, index);
                    parameters[key] = header.slice(valueStart, valueEnd);
                }
                continue parameter;
            }
            index++;
        }
    }
    return { type, index, parameters };
}
/**
 * Skip over characters until a semicolon or other exit character.
 */
function skipValue(str, index, len, stopChar) {
    while (index < len) {
        const code = str.charCodeAt(index);
        if (code === SEMI || code === stopChar)
            break;
        index++;
    }
    return index;
}
/**
 * Skip optional whitespace (OWS) in an HTTP header value.
 *
 * OWS is defined in RFC 9110 sec 5.6.3 as SP (" ") or HTAB ("\t").
 */
function skipOWS(header, index, len) {
    while (index < len) {
        const char = header.charCodeAt(index);
        if (char !== SP && char !== HTAB)
            break;
        index++;
    }
    return index;
}
/**
 * Trim optional whitespace (OWS) from the end of a substring.
 *
 * OWS is defined in RFC 9110 sec 5.6.3 as SP (" ") or HTAB ("\t").
 */
function trailingOWS(header, start, end) {
    while (end > start) {
        const char = header.charCodeAt(end - 1);
        if (char !== SP && char !== HTAB)
            break;
        end--;
    }
    return end;
}
/**
 * Serialize a parameter value.
 */
function qstring(str) {
    if (TOKEN_REGEXP.test(str))
        return str;
    if (TEXT_REGEXP.test(str))
        return `"${str.replace(QUOTE_REGEXP, "\\$&")}"`;
    throw new TypeError(`Invalid parameter value: ${str}`);
}
//# sourceMappingURL=index.js.map

/***/ }),

/***/ 1407:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  E: () => (/* binding */ Octokit)
});

;// CONCATENATED MODULE: ./node_modules/universal-user-agent/index.js
function getUserAgent() {
  if (typeof navigator === "object" && "userAgent" in navigator) {
    return navigator.userAgent;
  }

  if (typeof process === "object" && process.version !== undefined) {
    return `Node.js/${process.version.substr(1)} (${process.platform}; ${
      process.arch
    })`;
  }

  return "<environment undetectable>";
}

;// CONCATENATED MODULE: ./node_modules/before-after-hook/lib/register.js
// @ts-check

function register(state, name, method, options) {
  if (typeof method !== "function") {
    throw new Error("method for before hook must be a function");
  }

  if (!options) {
    options = {};
  }

  if (Array.isArray(name)) {
    return name.reverse().reduce((callback, name) => {
      return register.bind(null, state, name, callback, options);
    }, method)();
  }

  return Promise.resolve().then(() => {
    if (!state.registry[name]) {
      return method(options);
    }

    return state.registry[name].reduce((method, registered) => {
      return registered.hook.bind(null, method, options);
    }, method)();
  });
}

;// CONCATENATED MODULE: ./node_modules/before-after-hook/lib/add.js
// @ts-check

function addHook(state, kind, name, hook) {
  const orig = hook;
  if (!state.registry[name]) {
    state.registry[name] = [];
  }

  if (kind === "before") {
    hook = (method, options) => {
      return Promise.resolve()
        .then(orig.bind(null, options))
        .then(method.bind(null, options));
    };
  }

  if (kind === "after") {
    hook = (method, options) => {
      let result;
      return Promise.resolve()
        .then(method.bind(null, options))
        .then((result_) => {
          result = result_;
          return orig(result, options);
        })
        .then(() => {
          return result;
        });
    };
  }

  if (kind === "error") {
    hook = (method, options) => {
      return Promise.resolve()
        .then(method.bind(null, options))
        .catch((error) => {
          return orig(error, options);
        });
    };
  }

  state.registry[name].push({
    hook: hook,
    orig: orig,
  });
}

;// CONCATENATED MODULE: ./node_modules/before-after-hook/lib/remove.js
// @ts-check

function removeHook(state, name, method) {
  if (!state.registry[name]) {
    return;
  }

  const index = state.registry[name]
    .map((registered) => {
      return registered.orig;
    })
    .indexOf(method);

  if (index === -1) {
    return;
  }

  state.registry[name].splice(index, 1);
}

;// CONCATENATED MODULE: ./node_modules/before-after-hook/index.js
// @ts-check





// bind with array of arguments: https://stackoverflow.com/a/21792913
const bind = Function.bind;
const bindable = bind.bind(bind);

function bindApi(hook, state, name) {
  const removeHookRef = bindable(removeHook, null).apply(
    null,
    name ? [state, name] : [state]
  );
  hook.api = { remove: removeHookRef };
  hook.remove = removeHookRef;
  ["before", "error", "after", "wrap"].forEach((kind) => {
    const args = name ? [state, kind, name] : [state, kind];
    hook[kind] = hook.api[kind] = bindable(addHook, null).apply(null, args);
  });
}

function Singular() {
  const singularHookName = Symbol("Singular");
  const singularHookState = {
    registry: {},
  };
  const singularHook = register.bind(null, singularHookState, singularHookName);
  bindApi(singularHook, singularHookState, singularHookName);
  return singularHook;
}

function Collection() {
  const state = {
    registry: {},
  };

  const hook = register.bind(null, state);
  bindApi(hook, state);

  return hook;
}

/* harmony default export */ const before_after_hook = ({ Singular, Collection });

;// CONCATENATED MODULE: ./node_modules/@octokit/endpoint/dist-bundle/index.js
// pkg/dist-src/defaults.js


// pkg/dist-src/version.js
var VERSION = "0.0.0-development";

// pkg/dist-src/defaults.js
var userAgent = `octokit-endpoint.js/${VERSION} ${getUserAgent()}`;
var DEFAULTS = {
  method: "GET",
  baseUrl: "https://api.github.com",
  headers: {
    accept: "application/vnd.github.v3+json",
    "user-agent": userAgent
  },
  mediaType: {
    format: ""
  }
};

// pkg/dist-src/util/lowercase-keys.js
function lowercaseKeys(object) {
  if (!object) {
    return {};
  }
  return Object.keys(object).reduce((newObj, key) => {
    newObj[key.toLowerCase()] = object[key];
    return newObj;
  }, {});
}

// pkg/dist-src/util/is-plain-object.js
function isPlainObject(value) {
  if (typeof value !== "object" || value === null) return false;
  if (Object.prototype.toString.call(value) !== "[object Object]") return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return true;
  const Ctor = Object.prototype.hasOwnProperty.call(proto, "constructor") && proto.constructor;
  return typeof Ctor === "function" && Ctor instanceof Ctor && Function.prototype.call(Ctor) === Function.prototype.call(value);
}

// pkg/dist-src/util/merge-deep.js
function mergeDeep(defaults, options) {
  const result = Object.assign({}, defaults);
  Object.keys(options).forEach((key) => {
    if (isPlainObject(options[key])) {
      if (!(key in defaults)) Object.assign(result, { [key]: options[key] });
      else result[key] = mergeDeep(defaults[key], options[key]);
    } else {
      Object.assign(result, { [key]: options[key] });
    }
  });
  return result;
}

// pkg/dist-src/util/remove-undefined-properties.js
function removeUndefinedProperties(obj) {
  for (const key in obj) {
    if (obj[key] === void 0) {
      delete obj[key];
    }
  }
  return obj;
}

// pkg/dist-src/merge.js
function merge(defaults, route, options) {
  if (typeof route === "string") {
    let [method, url] = route.split(" ");
    options = Object.assign(url ? { method, url } : { url: method }, options);
  } else {
    options = Object.assign({}, route);
  }
  options.headers = lowercaseKeys(options.headers);
  removeUndefinedProperties(options);
  removeUndefinedProperties(options.headers);
  const mergedOptions = mergeDeep(defaults || {}, options);
  if (options.url === "/graphql") {
    if (defaults && defaults.mediaType.previews?.length) {
      mergedOptions.mediaType.previews = defaults.mediaType.previews.filter(
        (preview) => !mergedOptions.mediaType.previews.includes(preview)
      ).concat(mergedOptions.mediaType.previews);
    }
    mergedOptions.mediaType.previews = (mergedOptions.mediaType.previews || []).map((preview) => preview.replace(/-preview/, ""));
  }
  return mergedOptions;
}

// pkg/dist-src/util/add-query-parameters.js
function addQueryParameters(url, parameters) {
  const separator = /\?/.test(url) ? "&" : "?";
  const names = Object.keys(parameters);
  if (names.length === 0) {
    return url;
  }
  return url + separator + names.map((name) => {
    if (name === "q") {
      return "q=" + parameters.q.split("+").map(encodeURIComponent).join("+");
    }
    return `${name}=${encodeURIComponent(parameters[name])}`;
  }).join("&");
}

// pkg/dist-src/util/extract-url-variable-names.js
var urlVariableRegex = /\{[^{}}]+\}/g;
function removeNonChars(variableName) {
  return variableName.replace(/(?:^\W+)|(?:(?<!\W)\W+$)/g, "").split(/,/);
}
function extractUrlVariableNames(url) {
  const matches = url.match(urlVariableRegex);
  if (!matches) {
    return [];
  }
  return matches.map(removeNonChars).reduce((a, b) => a.concat(b), []);
}

// pkg/dist-src/util/omit.js
function omit(object, keysToOmit) {
  const result = { __proto__: null };
  for (const key of Object.keys(object)) {
    if (keysToOmit.indexOf(key) === -1) {
      result[key] = object[key];
    }
  }
  return result;
}

// pkg/dist-src/util/url-template.js
function encodeReserved(str) {
  return str.split(/(%[0-9A-Fa-f]{2})/g).map(function(part) {
    if (!/%[0-9A-Fa-f]/.test(part)) {
      part = encodeURI(part).replace(/%5B/g, "[").replace(/%5D/g, "]");
    }
    return part;
  }).join("");
}
function encodeUnreserved(str) {
  return encodeURIComponent(str).replace(/[!'()*]/g, function(c) {
    return "%" + c.charCodeAt(0).toString(16).toUpperCase();
  });
}
function encodeValue(operator, value, key) {
  value = operator === "+" || operator === "#" ? encodeReserved(value) : encodeUnreserved(value);
  if (key) {
    return encodeUnreserved(key) + "=" + value;
  } else {
    return value;
  }
}
function isDefined(value) {
  return value !== void 0 && value !== null;
}
function isKeyOperator(operator) {
  return operator === ";" || operator === "&" || operator === "?";
}
function getValues(context, operator, key, modifier) {
  var value = context[key], result = [];
  if (isDefined(value) && value !== "") {
    if (typeof value === "string" || typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") {
      value = value.toString();
      if (modifier && modifier !== "*") {
        value = value.substring(0, parseInt(modifier, 10));
      }
      result.push(
        encodeValue(operator, value, isKeyOperator(operator) ? key : "")
      );
    } else {
      if (modifier === "*") {
        if (Array.isArray(value)) {
          value.filter(isDefined).forEach(function(value2) {
            result.push(
              encodeValue(operator, value2, isKeyOperator(operator) ? key : "")
            );
          });
        } else {
          Object.keys(value).forEach(function(k) {
            if (isDefined(value[k])) {
              result.push(encodeValue(operator, value[k], k));
            }
          });
        }
      } else {
        const tmp = [];
        if (Array.isArray(value)) {
          value.filter(isDefined).forEach(function(value2) {
            tmp.push(encodeValue(operator, value2));
          });
        } else {
          Object.keys(value).forEach(function(k) {
            if (isDefined(value[k])) {
              tmp.push(encodeUnreserved(k));
              tmp.push(encodeValue(operator, value[k].toString()));
            }
          });
        }
        if (isKeyOperator(operator)) {
          result.push(encodeUnreserved(key) + "=" + tmp.join(","));
        } else if (tmp.length !== 0) {
          result.push(tmp.join(","));
        }
      }
    }
  } else {
    if (operator === ";") {
      if (isDefined(value)) {
        result.push(encodeUnreserved(key));
      }
    } else if (value === "" && (operator === "&" || operator === "?")) {
      result.push(encodeUnreserved(key) + "=");
    } else if (value === "") {
      result.push("");
    }
  }
  return result;
}
function parseUrl(template) {
  return {
    expand: expand.bind(null, template)
  };
}
function expand(template, context) {
  var operators = ["+", "#", ".", "/", ";", "?", "&"];
  template = template.replace(
    /\{([^\{\}]+)\}|([^\{\}]+)/g,
    function(_, expression, literal) {
      if (expression) {
        let operator = "";
        const values = [];
        if (operators.indexOf(expression.charAt(0)) !== -1) {
          operator = expression.charAt(0);
          expression = expression.substr(1);
        }
        expression.split(/,/g).forEach(function(variable) {
          var tmp = /([^:\*]*)(?::(\d+)|(\*))?/.exec(variable);
          values.push(getValues(context, operator, tmp[1], tmp[2] || tmp[3]));
        });
        if (operator && operator !== "+") {
          var separator = ",";
          if (operator === "?") {
            separator = "&";
          } else if (operator !== "#") {
            separator = operator;
          }
          return (values.length !== 0 ? operator : "") + values.join(separator);
        } else {
          return values.join(",");
        }
      } else {
        return encodeReserved(literal);
      }
    }
  );
  if (template === "/") {
    return template;
  } else {
    return template.replace(/\/$/, "");
  }
}

// pkg/dist-src/parse.js
function parse(options) {
  let method = options.method.toUpperCase();
  let url = (options.url || "/").replace(/:([a-z]\w+)/g, "{$1}");
  let headers = Object.assign({}, options.headers);
  let body;
  let parameters = omit(options, [
    "method",
    "baseUrl",
    "url",
    "headers",
    "request",
    "mediaType"
  ]);
  const urlVariableNames = extractUrlVariableNames(url);
  url = parseUrl(url).expand(parameters);
  if (!/^http/.test(url)) {
    url = options.baseUrl + url;
  }
  const omittedParameters = Object.keys(options).filter((option) => urlVariableNames.includes(option)).concat("baseUrl");
  const remainingParameters = omit(parameters, omittedParameters);
  const isBinaryRequest = /application\/octet-stream/i.test(headers.accept);
  if (!isBinaryRequest) {
    if (options.mediaType.format) {
      headers.accept = headers.accept.split(/,/).map(
        (format) => format.replace(
          /application\/vnd(\.\w+)(\.v3)?(\.\w+)?(\+json)?$/,
          `application/vnd$1$2.${options.mediaType.format}`
        )
      ).join(",");
    }
    if (url.endsWith("/graphql")) {
      if (options.mediaType.previews?.length) {
        const previewsFromAcceptHeader = headers.accept.match(/(?<![\w-])[\w-]+(?=-preview)/g) || [];
        headers.accept = previewsFromAcceptHeader.concat(options.mediaType.previews).map((preview) => {
          const format = options.mediaType.format ? `.${options.mediaType.format}` : "+json";
          return `application/vnd.github.${preview}-preview${format}`;
        }).join(",");
      }
    }
  }
  if (["GET", "HEAD"].includes(method)) {
    url = addQueryParameters(url, remainingParameters);
  } else {
    if ("data" in remainingParameters) {
      body = remainingParameters.data;
    } else {
      if (Object.keys(remainingParameters).length) {
        body = remainingParameters;
      }
    }
  }
  if (!headers["content-type"] && typeof body !== "undefined") {
    headers["content-type"] = "application/json; charset=utf-8";
  }
  if (["PATCH", "PUT"].includes(method) && typeof body === "undefined") {
    body = "";
  }
  return Object.assign(
    { method, url, headers },
    typeof body !== "undefined" ? { body } : null,
    options.request ? { request: options.request } : null
  );
}

// pkg/dist-src/endpoint-with-defaults.js
function endpointWithDefaults(defaults, route, options) {
  return parse(merge(defaults, route, options));
}

// pkg/dist-src/with-defaults.js
function withDefaults(oldDefaults, newDefaults) {
  const DEFAULTS2 = merge(oldDefaults, newDefaults);
  const endpoint2 = endpointWithDefaults.bind(null, DEFAULTS2);
  return Object.assign(endpoint2, {
    DEFAULTS: DEFAULTS2,
    defaults: withDefaults.bind(null, DEFAULTS2),
    merge: merge.bind(null, DEFAULTS2),
    parse
  });
}

// pkg/dist-src/index.js
var endpoint = withDefaults(null, DEFAULTS);


// EXTERNAL MODULE: ./node_modules/@octokit/core/node_modules/content-type/dist/index.js
var dist = __nccwpck_require__(5995);
;// CONCATENATED MODULE: ./node_modules/json-with-bigint/json-with-bigint.js
const intRegex = /^-?\d+$/;
const noiseValue = /^-?\d+n+$/; // Noise - strings that match the custom format before being converted to it
const originalStringify = JSON.stringify;
const originalParse = JSON.parse;
const customFormat = /^-?\d+n$/;

const bigIntsStringify = /([\[:])?"(-?\d+)n"($|\s*[,\}\]])/g;
const noiseStringify = /([\[:])?("-?\d+n+)n("$|"\s*[,\}\]])/g;

/**
 * @typedef {(this: any, key: string | number | undefined, value: any) => any} Replacer
 * @typedef {(key: string | number | undefined, value: any, context?: { source: string }) => any} Reviver
 */

/**
 * Checks if a value is unstringifiable according to native JSON.stringify rules.
 *
 * @param {any} val The value to check.
 * @returns {boolean} True if the value is undefined, a function, or a symbol.
 */
const isUnstringifiable = (val) =>
  val === undefined || typeof val === "function" || typeof val === "symbol";

/**
 * Checks if a value is a native JSON.rawJSON object (Node.js 22+).
 *
 * @param {any} val The value to check.
 * @returns {boolean} True if the value is a RawJSON instance.
 */
const isRawJSON = (val) =>
  val !== null &&
  typeof val === "object" &&
  val.constructor &&
  val.constructor.name === "RawJSON";

/**
 * Iteratively converts a JS value to a JSON string.
 * Used as a fallback when the native JSON.stringify hits the Maximum Call Stack size.
 * Fully compliant with JSON formatting (space), replacers, and toJSON behaviors.
 *
 * @param {any} rootValue The value to stringify.
 * @param {Replacer | Array<string | number> | null} [replacer] User's custom replacer function.
 * @param {string | number} [spaceParam] Indentation for pretty-printing.
 * @returns {string | undefined} The generated JSON string.
 */
const stringifyIteratively = (rootValue, replacer, spaceParam) => {
  let space = "";

  if (typeof spaceParam === "number") {
    space = " ".repeat(Math.min(10, Math.max(0, Math.floor(spaceParam))));
  } else if (typeof spaceParam === "string") {
    space = spaceParam.slice(0, 10);
  }

  const isFunctionReplacer = typeof replacer === "function";
  const propertyList = Array.isArray(replacer)
    ? new Set(replacer.map(String))
    : null;

  /**
   * Prepares a value for stringification by resolving toJSON, handling BigInts,
   * applying custom replacers, and unwrapping primitive objects.
   *
   * @param {object|Array} parent The parent object or array holding the value.
   * @param {string} key The key associated with the value.
   * @param {any} val The raw value to process.
   * @returns {any} The processed value ready for stringification.
   */
  const prepareVal = (parent, key, val) => {
    const isObject = val !== null && typeof val === "object";
    const hasToJSON = isObject && typeof val.toJSON === "function";

    if (hasToJSON) {
      val = val.toJSON(key);
    }

    const isNoise = typeof val === "string" && noiseValue.test(val);

    if (isNoise) return val + "n";

    const isBigInt = typeof val === "bigint";

    if (isBigInt) {
      const supportsRawJSON = "rawJSON" in JSON;

      if (supportsRawJSON) return JSON.rawJSON(val.toString());

      return val.toString() + "n";
    }

    if (isFunctionReplacer) {
      val = replacer.call(parent, key, val);
    }

    const isPostReplacerObject = val !== null && typeof val === "object";

    if (isPostReplacerObject) {
      const isPrimitiveWrapper =
        val instanceof Number ||
        val instanceof String ||
        val instanceof Boolean;

      if (isPrimitiveWrapper) {
        val = val.valueOf();
      }
    }

    return val;
  };

  const rootProcessed = prepareVal({ "": rootValue }, "", rootValue);

  if (isUnstringifiable(rootProcessed)) {
    return undefined;
  }

  const isRootPrimitive =
    rootProcessed === null || typeof rootProcessed !== "object";
  const isRootNativeRawJSON = isRawJSON(rootProcessed);

  if (isRootPrimitive || isRootNativeRawJSON) {
    return originalStringify(rootProcessed);
  }

  const chunks = [];
  let level = 0;

  const stack = [
    {
      parent: { "": rootProcessed },
      key: "",
      val: rootProcessed,
      isArray: Array.isArray(rootProcessed),
      keys: Array.isArray(rootProcessed) ? null : Object.keys(rootProcessed),
      index: 0,
      first: true,
    },
  ];

  const visited = new WeakSet([rootProcessed]);

  while (stack.length > 0) {
    const node = stack[stack.length - 1];

    if (node.index === 0) {
      chunks.push(node.isArray ? "[" : "{");
      level++;
    }

    let isDone = false;

    if (node.isArray) {
      if (node.index < node.val.length) {
        if (!node.first) chunks.push(",");

        if (space) chunks.push("\n" + space.repeat(level));

        const childRaw = node.val[node.index];
        const childVal = prepareVal(node.val, String(node.index), childRaw);

        if (isUnstringifiable(childVal)) {
          chunks.push("null");
          node.first = false;
          node.index++;
        } else {
          const isComplexObject =
            childVal !== null && typeof childVal === "object";
          const isNativeRaw = isRawJSON(childVal);

          if (isComplexObject && !isNativeRaw) {
            if (visited.has(childVal)) {
              throw new TypeError("Converting circular structure to JSON");
            }

            visited.add(childVal);

            stack.push({
              parent: node.val,
              key: String(node.index),
              val: childVal,
              isArray: Array.isArray(childVal),
              keys: Array.isArray(childVal) ? null : Object.keys(childVal),
              index: 0,
              first: true,
            });

            node.first = false;
            node.index++;
          } else {
            chunks.push(originalStringify(childVal));
            node.first = false;
            node.index++;
          }
        }
      } else {
        isDone = true;
      }
    } else {
      while (node.index < node.keys.length) {
        const k = node.keys[node.index++];

        const isFilteredOutByArray = propertyList && !propertyList.has(k);

        if (isFilteredOutByArray) continue;

        const childRaw = node.val[k];
        const childVal = prepareVal(node.val, k, childRaw);

        if (isUnstringifiable(childVal)) continue;

        if (!node.first) chunks.push(",");

        if (space) {
          chunks.push("\n" + space.repeat(level) + originalStringify(k) + ": ");
        } else {
          chunks.push(originalStringify(k) + ":");
        }

        const isComplexObject =
          childVal !== null && typeof childVal === "object";
        const isNativeRaw = isRawJSON(childVal);

        if (isComplexObject && !isNativeRaw) {
          if (visited.has(childVal)) {
            throw new TypeError("Converting circular structure to JSON");
          }

          visited.add(childVal);

          stack.push({
            parent: node.val,
            key: k,
            val: childVal,
            isArray: Array.isArray(childVal),
            keys: Array.isArray(childVal) ? null : Object.keys(childVal),
            index: 0,
            first: true,
          });

          node.first = false;

          break; // Stop current loop level to process the newly pushed stack node
        } else {
          chunks.push(originalStringify(childVal));
          node.first = false;
        }
      }

      const isNodeFullyProcessed =
        node.index >= node.keys.length && stack[stack.length - 1] === node;

      if (isNodeFullyProcessed) {
        isDone = true;
      }
    }

    if (isDone) {
      level--;

      if (!node.first && space) chunks.push("\n" + space.repeat(level));

      chunks.push(node.isArray ? "]" : "}");
      visited.delete(node.val);
      stack.pop();
    }
  }

  return chunks.join("");
};

/**
 * Converts a JavaScript value to a JSON string.
 *
 * Supports serialization of BigInt values using two strategies:
 * 1. Custom format "123n" → "123" (universal fallback)
 * 2. Native JSON.rawJSON() (Node.js 22+, fastest) when available
 *
 * All other values are serialized exactly like native JSON.stringify().
 *
 * @param {*} value The value to convert to a JSON string.
 * @param {Replacer | Array<string | number> | null} [replacer]
 * A function that alters the behavior of the stringification process,
 * or an array of strings/numbers to indicate properties to exclude.
 * @param {string | number} [space]
 * A string or number to specify indentation or pretty-printing.
 * @returns {string} The JSON string representation.
 */
const JSONStringify = (value, replacer, space) => {
  try {
    const supportsRawJSON = "rawJSON" in JSON;

    if (supportsRawJSON) {
      return originalStringify(
        value,
        (key, val) => {
          if (typeof val === "bigint") return JSON.rawJSON(val.toString());

          const hasFunctionReplacer = typeof replacer === "function";

          if (hasFunctionReplacer) return replacer(key, val);

          const isKeyInArrayReplacer =
            Array.isArray(replacer) && replacer.includes(key);

          if (isKeyInArrayReplacer) return val;

          return val;
        },
        space,
      );
    }

    if (!value) return originalStringify(value, replacer, space);

    const convertedToCustomJSON = originalStringify(
      value,
      (key, val) => {
        const isNoise = typeof val === "string" && noiseValue.test(val);

        if (isNoise) return val.toString() + "n"; // Mark noise values with additional "n" to offset the deletion of one "n" during the processing

        if (typeof val === "bigint") return val.toString() + "n";

        const hasFunctionReplacer = typeof replacer === "function";

        if (hasFunctionReplacer) return replacer(key, val);

        const isKeyInArrayReplacer =
          Array.isArray(replacer) && replacer.includes(key);

        if (isKeyInArrayReplacer) return val;

        return val;
      },
      space,
    );

    const processedJSON = convertedToCustomJSON.replace(
      bigIntsStringify,
      "$1$2$3",
    ); // Delete one "n" off the end of every BigInt value

    const denoisedJSON = processedJSON.replace(noiseStringify, "$1$2$3"); // Remove one "n" off the end of every noisy string

    return denoisedJSON;
  } catch (error) {
    if (error instanceof RangeError) {
      const convertedJSON = stringifyIteratively(value, replacer, space);

      if (convertedJSON === undefined) return undefined;

      const supportsRawJSON = "rawJSON" in JSON;

      if (supportsRawJSON) return convertedJSON;

      const processedJSON = convertedJSON.replace(bigIntsStringify, "$1$2$3");

      return processedJSON.replace(noiseStringify, "$1$2$3");
    }

    throw error;
  }
};

const featureCache = new Map();

/**
 * Detects if the current JSON.parse implementation supports the context.source feature.
 *
 * Uses toString() fingerprinting to cache results and automatically detect runtime
 * replacements of JSON.parse (polyfills, mocks, etc.).
 *
 * @returns {boolean} true if context.source is supported, false otherwise.
 */
const isContextSourceSupported = () => {
  const parseFingerprint = JSON.parse.toString();

  if (featureCache.has(parseFingerprint)) {
    return featureCache.get(parseFingerprint);
  }

  try {
    const result = JSON.parse(
      "1",
      (_, __, context) => !!context?.source && context.source === "1",
    );
    featureCache.set(parseFingerprint, result);

    return result;
  } catch {
    featureCache.set(parseFingerprint, false);

    return false;
  }
};

/**
 * Reviver function that converts custom-format BigInt strings back to BigInt values.
 * Also handles "noise" strings that accidentally match the BigInt format.
 *
 * @param {string | number | undefined} key The object key.
 * @param {*} value The value being parsed.
 * @param {object} [context] Parse context (if supported by JSON.parse).
 * @param {Reviver} [userReviver] User's custom reviver function.
 * @returns {any} The transformed value.
 */
const convertMarkedBigIntsReviver = (key, value, context, userReviver) => {
  const isCustomFormatBigInt =
    typeof value === "string" && customFormat.test(value);

  if (isCustomFormatBigInt) return BigInt(value.slice(0, -1));

  const isNoiseValue = typeof value === "string" && noiseValue.test(value);
  if (isNoiseValue) return value.slice(0, -1);

  const hasUserReviver = typeof userReviver === "function";

  if (!hasUserReviver) return value;

  return userReviver(key, value, context);
};

/**
 * Fast JSON.parse implementation (~2x faster than classic fallback).
 * Uses JSON.parse's context.source feature to detect integers and convert
 * large numbers directly to BigInt without string manipulation.
 *
 * Does not support legacy custom format from v1 of this library.
 *
 * @param {string} text JSON string to parse.
 * @param {Reviver} [reviver] Transform function to apply to each value.
 * @returns {any} Parsed JavaScript value.
 */
const JSONParseV2 = (text, reviver) => {
  return JSON.parse(text, (key, value, context) => {
    const isNumber = typeof value === "number";
    const isOutOfBounds =
      value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER;
    const isBigNumber = isNumber && isOutOfBounds;
    const isInt = context && intRegex.test(context.source);
    const isBigInt = isBigNumber && isInt;

    if (isBigInt) return BigInt(context.source);

    const hasCustomReviver = typeof reviver === "function";

    if (!hasCustomReviver) return value;

    return reviver(key, value, context);
  });
};

const MAX_INT = Number.MAX_SAFE_INTEGER.toString();
const MAX_DIGITS = MAX_INT.length;
const stringsOrLargeNumbers =
  /"(?:[^"\\]|\\.)*"|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/g;
const noiseValueWithQuotes = /^"-?\d+n+"$/; // Noise - strings that match the custom format before being converted to it

/**
 * Iteratively traverses the parsed object bottom-up (post-order),
 * emulating the native JSON.parse reviver behavior.
 * This avoids Call Stack overflows (RangeError) on deeply nested structures.
 *
 * @param {any} parsed The natively parsed JSON object.
 * @param {Reviver} [userReviver] User's custom reviver function.
 * @returns {any} The fully processed object.
 */
const applyReviverIteratively = (parsed, userReviver) => {
  const rootHolder = { "": parsed };
  const stack = [{ parent: rootHolder, key: "", visited: false }];

  while (stack.length > 0) {
    const node = stack[stack.length - 1];

    if (!node.visited) {
      node.visited = true;

      const value = node.parent[node.key];
      const isComplexObject = value !== null && typeof value === "object";

      if (isComplexObject) {
        const keys = Object.keys(value);

        for (let i = keys.length - 1; i >= 0; i--) {
          stack.push({ parent: value, key: keys[i], visited: false });
        }
      }
    } else {
      const { parent, key } = node;
      let value = parent[key];

      if (typeof value === "string") {
        const isCustomFormatBigInt = customFormat.test(value);

        if (isCustomFormatBigInt) {
          value = BigInt(value.slice(0, -1));
        } else {
          const isNoise = noiseValue.test(value);

          if (isNoise) value = value.slice(0, -1);
        }
      }

      const hasUserReviver = typeof userReviver === "function";

      if (hasUserReviver) {
        value = userReviver.call(parent, key, value);
      }

      const isDeleted = value === undefined;

      if (isDeleted) {
        delete parent[key];
      } else {
        parent[key] = value;
      }

      stack.pop();
    }
  }

  return rootHolder[""];
};

/**
 * Pre-processes the JSON string to mark large numbers with an 'n' suffix.
 *
 * @param {string} text The raw JSON string.
 * @returns {string} The serialized string with marked BigInts.
 */
const serializeBigInts = (text) => {
  return text.replace(
    stringsOrLargeNumbers,
    (match, digits, fractional, exponential) => {
      const isString = match[0] === '"';
      const isNoise = isString && noiseValueWithQuotes.test(match);

      if (isNoise) return match.substring(0, match.length - 1) + 'n"'; // Mark noise values with additional "n" to offset the deletion of one "n" during the processing

      const hasFractionalOrExponential = fractional || exponential;

      // With a fixed number of digits, we can correctly use lexicographical comparison to do a numeric comparison
      const isLessThanMaxSafeInt =
        digits &&
        (digits.length < MAX_DIGITS ||
          (digits.length === MAX_DIGITS && digits <= MAX_INT));

      const isStandardValue =
        isString || hasFractionalOrExponential || isLessThanMaxSafeInt;

      if (isStandardValue) return match;

      return '"' + match + 'n"';
    },
  );
};

/**
 * Converts a JSON string into a JavaScript value.
 *
 * Supports parsing of large integers using two strategies:
 * 1. Classic fallback: Marks large numbers with "123n" format, then converts to BigInt
 * 2. Fast path (JSONParseV2): Uses context.source feature (~2x faster) when available
 *
 * All other JSON values are parsed exactly like native JSON.parse().
 *
 * @param {string} text A valid JSON string.
 * @param {Reviver} [reviver]
 * A function that transforms the results. This function is called for each member
 * of the object. If a member contains nested objects, the nested objects are
 * transformed before the parent object is.
 * @returns {any} The parsed JavaScript value.
 * @throws {SyntaxError} If text is not valid JSON.
 */
const JSONParse = (text, reviver) => {
  if (!text) return originalParse(text, reviver);

  try {
    if (isContextSourceSupported()) return JSONParseV2(text, reviver); // Shortcut to a faster (2x) and simpler version

    // Find and mark big numbers with "n"
    const serializedData = serializeBigInts(text);

    return originalParse(serializedData, (key, value, context) =>
      convertMarkedBigIntsReviver(key, value, context, reviver),
    );
  } catch (error) {
    if (error instanceof RangeError) {
      const serializedData = serializeBigInts(text);
      const parsed = originalParse(serializedData);

      return applyReviverIteratively(parsed, reviver);
    }

    throw error;
  }
};



;// CONCATENATED MODULE: ./node_modules/@octokit/request-error/dist-src/index.js
class RequestError extends Error {
  name;
  /**
   * http status code
   */
  status;
  /**
   * Request options that lead to the error.
   */
  request;
  /**
   * Response object if a response was received
   */
  response;
  constructor(message, statusCode, options) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = Number.parseInt(statusCode);
    if (Number.isNaN(this.status)) {
      this.status = 0;
    }
    /* v8 ignore else -- @preserve -- Bug with vitest coverage where it sees an else branch that doesn't exist */
    if ("response" in options) {
      this.response = options.response;
    }
    const requestCopy = Object.assign({}, options.request);
    if (options.request.headers.authorization) {
      requestCopy.headers = Object.assign({}, options.request.headers, {
        authorization: options.request.headers.authorization.replace(
          /(?<! ) .*$/,
          " [REDACTED]"
        )
      });
    }
    requestCopy.url = requestCopy.url.replace(/\bclient_secret=\w+/g, "client_secret=[REDACTED]").replace(/\baccess_token=\w+/g, "access_token=[REDACTED]");
    this.request = requestCopy;
  }
}


;// CONCATENATED MODULE: ./node_modules/@octokit/core/node_modules/@octokit/request/dist-bundle/index.js
// pkg/dist-src/index.js


// pkg/dist-src/defaults.js


// pkg/dist-src/version.js
var dist_bundle_VERSION = "10.0.14";

// pkg/dist-src/defaults.js
var defaults_default = {
  headers: {
    "user-agent": `octokit-request.js/${dist_bundle_VERSION} ${getUserAgent()}`
  }
};

// pkg/dist-src/fetch-wrapper.js



// pkg/dist-src/is-plain-object.js
function dist_bundle_isPlainObject(value) {
  if (typeof value !== "object" || value === null) return false;
  if (Object.prototype.toString.call(value) !== "[object Object]") return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return true;
  const Ctor = Object.prototype.hasOwnProperty.call(proto, "constructor") && proto.constructor;
  return typeof Ctor === "function" && Ctor instanceof Ctor && Function.prototype.call(Ctor) === Function.prototype.call(value);
}

// pkg/dist-src/fetch-wrapper.js

var noop = () => "";
async function fetchWrapper(requestOptions) {
  const fetch = requestOptions.request?.fetch || globalThis.fetch;
  if (!fetch) {
    throw new Error(
      "fetch is not set. Please pass a fetch implementation as new Octokit({ request: { fetch }}). Learn more at https://github.com/octokit/octokit.js/#fetch-missing"
    );
  }
  const log = requestOptions.request?.log || console;
  const parseSuccessResponseBody = requestOptions.request?.parseSuccessResponseBody !== false;
  const body = dist_bundle_isPlainObject(requestOptions.body) || Array.isArray(requestOptions.body) ? JSONStringify(requestOptions.body) : requestOptions.body;
  const requestHeaders = Object.fromEntries(
    Object.entries(requestOptions.headers).map(([name, value]) => [
      name,
      String(value)
    ])
  );
  let fetchResponse;
  try {
    fetchResponse = await fetch(requestOptions.url, {
      method: requestOptions.method,
      body,
      redirect: requestOptions.request?.redirect,
      headers: requestHeaders,
      signal: requestOptions.request?.signal,
      // duplex must be set if request.body is ReadableStream or Async Iterables.
      // See https://fetch.spec.whatwg.org/#dom-requestinit-duplex.
      ...requestOptions.body && { duplex: "half" }
    });
  } catch (error) {
    let message = "Unknown Error";
    if (error instanceof Error) {
      if (error.name === "AbortError") {
        error.status = 500;
        throw error;
      }
      message = error.message;
      if (error.name === "TypeError" && "cause" in error) {
        if (error.cause instanceof Error) {
          message = error.cause.message;
        } else if (typeof error.cause === "string") {
          message = error.cause;
        }
      }
    }
    const requestError = new RequestError(message, 500, {
      request: requestOptions
    });
    requestError.cause = error;
    throw requestError;
  }
  const status = fetchResponse.status;
  const url = fetchResponse.url;
  const responseHeaders = {};
  for (const [key, value] of fetchResponse.headers) {
    responseHeaders[key] = value;
  }
  const octokitResponse = {
    url,
    status,
    headers: responseHeaders,
    data: ""
  };
  if ("deprecation" in responseHeaders) {
    const matches = responseHeaders.link && responseHeaders.link.match(/<([^<>]+)>; rel="deprecation"/);
    const deprecationLink = matches && matches.pop();
    log.warn(
      `[@octokit/request] "${requestOptions.method} ${requestOptions.url}" is deprecated. It is scheduled to be removed on ${responseHeaders.sunset}${deprecationLink ? `. See ${deprecationLink}` : ""}`
    );
  }
  if (status === 204 || status === 205) {
    return octokitResponse;
  }
  if (requestOptions.method === "HEAD") {
    if (status < 400) {
      return octokitResponse;
    }
    throw new RequestError(fetchResponse.statusText, status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  if (status === 304) {
    octokitResponse.data = await getResponseData(fetchResponse);
    throw new RequestError("Not modified", status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  if (status >= 400) {
    octokitResponse.data = await getResponseData(fetchResponse);
    throw new RequestError(toErrorMessage(octokitResponse.data), status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  octokitResponse.data = parseSuccessResponseBody ? await getResponseData(fetchResponse) : fetchResponse.body;
  return octokitResponse;
}
async function getResponseData(response) {
  const contentType = response.headers.get("content-type");
  if (!contentType) {
    return response.text().catch(noop);
  }
  const mimetype = (0,dist/* parse */.qg)(contentType);
  if (isJSONResponse(mimetype)) {
    let text = "";
    try {
      text = await response.text();
      return JSONParse(text);
    } catch (err) {
      return text;
    }
  } else if (mimetype.type.startsWith("text/") || // `application/octet-stream` is the canonical "arbitrary binary" type
  // (RFC 2046) and must never be decoded as text, even when the response
  // carries a (misleading) `charset=utf-8` parameter — see #751.
  mimetype.parameters.charset?.toLowerCase() === "utf-8" && mimetype.type !== "application/octet-stream") {
    return response.text().catch(noop);
  } else {
    return response.arrayBuffer().catch(
      /* v8 ignore next -- @preserve */
      () => new ArrayBuffer(0)
    );
  }
}
function isJSONResponse(mimetype) {
  return mimetype.type === "application/json" || mimetype.type === "application/scim+json";
}
function toErrorMessage(data) {
  if (typeof data === "string") {
    return data;
  }
  if (data instanceof ArrayBuffer) {
    return "Unknown error";
  }
  if (typeof data === "object" && data !== null && "message" in data) {
    const objectData = data;
    const suffix = "documentation_url" in objectData ? ` - ${objectData.documentation_url}` : "";
    return Array.isArray(objectData.errors) ? `${objectData.message}: ${objectData.errors.map((v) => JSON.stringify(v)).join(", ")}${suffix}` : `${objectData.message}${suffix}`;
  }
  return `Unknown error: ${JSON.stringify(data)}`;
}

// pkg/dist-src/with-defaults.js
function dist_bundle_withDefaults(oldEndpoint, newDefaults) {
  const endpoint2 = oldEndpoint.defaults(newDefaults);
  const newApi = function(route, parameters) {
    const endpointOptions = endpoint2.merge(route, parameters);
    if (!endpointOptions.request || !endpointOptions.request.hook) {
      return fetchWrapper(endpoint2.parse(endpointOptions));
    }
    const request2 = (route2, parameters2) => {
      return fetchWrapper(
        endpoint2.parse(endpoint2.merge(route2, parameters2))
      );
    };
    Object.assign(request2, {
      endpoint: endpoint2,
      defaults: dist_bundle_withDefaults.bind(null, endpoint2)
    });
    return endpointOptions.request.hook(request2, endpointOptions);
  };
  return Object.assign(newApi, {
    endpoint: endpoint2,
    defaults: dist_bundle_withDefaults.bind(null, endpoint2)
  });
}

// pkg/dist-src/index.js
var request = dist_bundle_withDefaults(endpoint, defaults_default);

/* v8 ignore next -- @preserve */
/* v8 ignore else -- @preserve */

// EXTERNAL MODULE: ./node_modules/@octokit/graphql/node_modules/content-type/dist/index.js
var content_type_dist = __nccwpck_require__(8847);
;// CONCATENATED MODULE: ./node_modules/@octokit/graphql/node_modules/@octokit/request/dist-bundle/index.js
// pkg/dist-src/index.js


// pkg/dist-src/defaults.js


// pkg/dist-src/version.js
var request_dist_bundle_VERSION = "10.0.14";

// pkg/dist-src/defaults.js
var dist_bundle_defaults_default = {
  headers: {
    "user-agent": `octokit-request.js/${request_dist_bundle_VERSION} ${getUserAgent()}`
  }
};

// pkg/dist-src/fetch-wrapper.js



// pkg/dist-src/is-plain-object.js
function request_dist_bundle_isPlainObject(value) {
  if (typeof value !== "object" || value === null) return false;
  if (Object.prototype.toString.call(value) !== "[object Object]") return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === null) return true;
  const Ctor = Object.prototype.hasOwnProperty.call(proto, "constructor") && proto.constructor;
  return typeof Ctor === "function" && Ctor instanceof Ctor && Function.prototype.call(Ctor) === Function.prototype.call(value);
}

// pkg/dist-src/fetch-wrapper.js

var dist_bundle_noop = () => "";
async function dist_bundle_fetchWrapper(requestOptions) {
  const fetch = requestOptions.request?.fetch || globalThis.fetch;
  if (!fetch) {
    throw new Error(
      "fetch is not set. Please pass a fetch implementation as new Octokit({ request: { fetch }}). Learn more at https://github.com/octokit/octokit.js/#fetch-missing"
    );
  }
  const log = requestOptions.request?.log || console;
  const parseSuccessResponseBody = requestOptions.request?.parseSuccessResponseBody !== false;
  const body = request_dist_bundle_isPlainObject(requestOptions.body) || Array.isArray(requestOptions.body) ? JSONStringify(requestOptions.body) : requestOptions.body;
  const requestHeaders = Object.fromEntries(
    Object.entries(requestOptions.headers).map(([name, value]) => [
      name,
      String(value)
    ])
  );
  let fetchResponse;
  try {
    fetchResponse = await fetch(requestOptions.url, {
      method: requestOptions.method,
      body,
      redirect: requestOptions.request?.redirect,
      headers: requestHeaders,
      signal: requestOptions.request?.signal,
      // duplex must be set if request.body is ReadableStream or Async Iterables.
      // See https://fetch.spec.whatwg.org/#dom-requestinit-duplex.
      ...requestOptions.body && { duplex: "half" }
    });
  } catch (error) {
    let message = "Unknown Error";
    if (error instanceof Error) {
      if (error.name === "AbortError") {
        error.status = 500;
        throw error;
      }
      message = error.message;
      if (error.name === "TypeError" && "cause" in error) {
        if (error.cause instanceof Error) {
          message = error.cause.message;
        } else if (typeof error.cause === "string") {
          message = error.cause;
        }
      }
    }
    const requestError = new RequestError(message, 500, {
      request: requestOptions
    });
    requestError.cause = error;
    throw requestError;
  }
  const status = fetchResponse.status;
  const url = fetchResponse.url;
  const responseHeaders = {};
  for (const [key, value] of fetchResponse.headers) {
    responseHeaders[key] = value;
  }
  const octokitResponse = {
    url,
    status,
    headers: responseHeaders,
    data: ""
  };
  if ("deprecation" in responseHeaders) {
    const matches = responseHeaders.link && responseHeaders.link.match(/<([^<>]+)>; rel="deprecation"/);
    const deprecationLink = matches && matches.pop();
    log.warn(
      `[@octokit/request] "${requestOptions.method} ${requestOptions.url}" is deprecated. It is scheduled to be removed on ${responseHeaders.sunset}${deprecationLink ? `. See ${deprecationLink}` : ""}`
    );
  }
  if (status === 204 || status === 205) {
    return octokitResponse;
  }
  if (requestOptions.method === "HEAD") {
    if (status < 400) {
      return octokitResponse;
    }
    throw new RequestError(fetchResponse.statusText, status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  if (status === 304) {
    octokitResponse.data = await dist_bundle_getResponseData(fetchResponse);
    throw new RequestError("Not modified", status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  if (status >= 400) {
    octokitResponse.data = await dist_bundle_getResponseData(fetchResponse);
    throw new RequestError(dist_bundle_toErrorMessage(octokitResponse.data), status, {
      response: octokitResponse,
      request: requestOptions
    });
  }
  octokitResponse.data = parseSuccessResponseBody ? await dist_bundle_getResponseData(fetchResponse) : fetchResponse.body;
  return octokitResponse;
}
async function dist_bundle_getResponseData(response) {
  const contentType = response.headers.get("content-type");
  if (!contentType) {
    return response.text().catch(dist_bundle_noop);
  }
  const mimetype = (0,content_type_dist/* parse */.qg)(contentType);
  if (dist_bundle_isJSONResponse(mimetype)) {
    let text = "";
    try {
      text = await response.text();
      return JSONParse(text);
    } catch (err) {
      return text;
    }
  } else if (mimetype.type.startsWith("text/") || // `application/octet-stream` is the canonical "arbitrary binary" type
  // (RFC 2046) and must never be decoded as text, even when the response
  // carries a (misleading) `charset=utf-8` parameter — see #751.
  mimetype.parameters.charset?.toLowerCase() === "utf-8" && mimetype.type !== "application/octet-stream") {
    return response.text().catch(dist_bundle_noop);
  } else {
    return response.arrayBuffer().catch(
      /* v8 ignore next -- @preserve */
      () => new ArrayBuffer(0)
    );
  }
}
function dist_bundle_isJSONResponse(mimetype) {
  return mimetype.type === "application/json" || mimetype.type === "application/scim+json";
}
function dist_bundle_toErrorMessage(data) {
  if (typeof data === "string") {
    return data;
  }
  if (data instanceof ArrayBuffer) {
    return "Unknown error";
  }
  if (typeof data === "object" && data !== null && "message" in data) {
    const objectData = data;
    const suffix = "documentation_url" in objectData ? ` - ${objectData.documentation_url}` : "";
    return Array.isArray(objectData.errors) ? `${objectData.message}: ${objectData.errors.map((v) => JSON.stringify(v)).join(", ")}${suffix}` : `${objectData.message}${suffix}`;
  }
  return `Unknown error: ${JSON.stringify(data)}`;
}

// pkg/dist-src/with-defaults.js
function request_dist_bundle_withDefaults(oldEndpoint, newDefaults) {
  const endpoint2 = oldEndpoint.defaults(newDefaults);
  const newApi = function(route, parameters) {
    const endpointOptions = endpoint2.merge(route, parameters);
    if (!endpointOptions.request || !endpointOptions.request.hook) {
      return dist_bundle_fetchWrapper(endpoint2.parse(endpointOptions));
    }
    const request2 = (route2, parameters2) => {
      return dist_bundle_fetchWrapper(
        endpoint2.parse(endpoint2.merge(route2, parameters2))
      );
    };
    Object.assign(request2, {
      endpoint: endpoint2,
      defaults: request_dist_bundle_withDefaults.bind(null, endpoint2)
    });
    return endpointOptions.request.hook(request2, endpointOptions);
  };
  return Object.assign(newApi, {
    endpoint: endpoint2,
    defaults: request_dist_bundle_withDefaults.bind(null, endpoint2)
  });
}

// pkg/dist-src/index.js
var dist_bundle_request = request_dist_bundle_withDefaults(endpoint, dist_bundle_defaults_default);

/* v8 ignore next -- @preserve */
/* v8 ignore else -- @preserve */

;// CONCATENATED MODULE: ./node_modules/@octokit/graphql/dist-bundle/index.js
// pkg/dist-src/index.js



// pkg/dist-src/version.js
var graphql_dist_bundle_VERSION = "0.0.0-development";

// pkg/dist-src/with-defaults.js


// pkg/dist-src/graphql.js


// pkg/dist-src/error.js
function _buildMessageForResponseErrors(data) {
  return `Request failed due to following response errors:
` + data.errors.map((e) => ` - ${e.message}`).join("\n");
}
var GraphqlResponseError = class extends Error {
  constructor(request2, headers, response) {
    super(_buildMessageForResponseErrors(response));
    this.request = request2;
    this.headers = headers;
    this.response = response;
    this.errors = response.errors;
    this.data = response.data;
    if (Error.captureStackTrace) {
      Error.captureStackTrace(this, this.constructor);
    }
  }
  request;
  headers;
  response;
  name = "GraphqlResponseError";
  errors;
  data;
};

// pkg/dist-src/graphql.js
var NON_VARIABLE_OPTIONS = [
  "method",
  "baseUrl",
  "url",
  "headers",
  "request",
  "query",
  "mediaType",
  "operationName"
];
var FORBIDDEN_VARIABLE_OPTIONS = ["query", "method", "url"];
var GHES_V3_SUFFIX_REGEX = /\/api\/v3\/?$/;
function graphql(request2, query, options) {
  if (options) {
    if (typeof query === "string" && "query" in options) {
      return Promise.reject(
        new Error(`[@octokit/graphql] "query" cannot be used as variable name`)
      );
    }
    for (const key in options) {
      if (!FORBIDDEN_VARIABLE_OPTIONS.includes(key)) continue;
      return Promise.reject(
        new Error(
          `[@octokit/graphql] "${key}" cannot be used as variable name`
        )
      );
    }
  }
  const parsedOptions = typeof query === "string" ? Object.assign({ query }, options) : query;
  const requestOptions = Object.keys(
    parsedOptions
  ).reduce((result, key) => {
    if (NON_VARIABLE_OPTIONS.includes(key)) {
      result[key] = parsedOptions[key];
      return result;
    }
    if (!result.variables) {
      result.variables = {};
    }
    result.variables[key] = parsedOptions[key];
    return result;
  }, {});
  const baseUrl = parsedOptions.baseUrl || request2.endpoint.DEFAULTS.baseUrl;
  if (GHES_V3_SUFFIX_REGEX.test(baseUrl)) {
    requestOptions.url = baseUrl.replace(GHES_V3_SUFFIX_REGEX, "/api/graphql");
  }
  return request2(requestOptions).then((response) => {
    if (response.data.errors) {
      const headers = {};
      for (const key of Object.keys(response.headers)) {
        headers[key] = response.headers[key];
      }
      throw new GraphqlResponseError(
        requestOptions,
        headers,
        response.data
      );
    }
    return response.data.data;
  });
}

// pkg/dist-src/with-defaults.js
function graphql_dist_bundle_withDefaults(request2, newDefaults) {
  const newRequest = request2.defaults(newDefaults);
  const newApi = (query, options) => {
    return graphql(newRequest, query, options);
  };
  return Object.assign(newApi, {
    defaults: graphql_dist_bundle_withDefaults.bind(null, newRequest),
    endpoint: newRequest.endpoint
  });
}

// pkg/dist-src/index.js
var graphql2 = graphql_dist_bundle_withDefaults(dist_bundle_request, {
  headers: {
    "user-agent": `octokit-graphql.js/${graphql_dist_bundle_VERSION} ${getUserAgent()}`
  },
  method: "POST",
  url: "/graphql"
});
function withCustomRequest(customRequest) {
  return graphql_dist_bundle_withDefaults(customRequest, {
    method: "POST",
    url: "/graphql"
  });
}

/* v8 ignore if -- @preserve */

;// CONCATENATED MODULE: ./node_modules/@octokit/auth-token/dist-bundle/index.js
// pkg/dist-src/is-jwt.js
var b64url = "(?:[a-zA-Z0-9_-]+)";
var sep = "\\.";
var jwtRE = new RegExp(`^${b64url}${sep}${b64url}${sep}${b64url}$`);
var isJWT = jwtRE.test.bind(jwtRE);

// pkg/dist-src/auth.js
async function auth(token) {
  const isApp = isJWT(token);
  const isInstallation = token.startsWith("v1.") || token.startsWith("ghs_");
  const isUserToServer = token.startsWith("ghu_");
  const tokenType = isApp ? "app" : isInstallation ? "installation" : isUserToServer ? "user-to-server" : "oauth";
  return {
    type: "token",
    token,
    tokenType
  };
}

// pkg/dist-src/with-authorization-prefix.js
function withAuthorizationPrefix(token) {
  if (token.split(/\./).length === 3) {
    return `bearer ${token}`;
  }
  return `token ${token}`;
}

// pkg/dist-src/hook.js
async function hook(token, request, route, parameters) {
  const endpoint = request.endpoint.merge(
    route,
    parameters
  );
  endpoint.headers.authorization = withAuthorizationPrefix(token);
  return request(endpoint);
}

// pkg/dist-src/index.js
var createTokenAuth = function createTokenAuth2(token) {
  if (!token) {
    throw new Error("[@octokit/auth-token] No token passed to createTokenAuth");
  }
  if (typeof token !== "string") {
    throw new Error(
      "[@octokit/auth-token] Token passed to createTokenAuth is not a string"
    );
  }
  token = token.replace(/^(token|bearer) +/i, "");
  return Object.assign(auth.bind(null, token), {
    hook: hook.bind(null, token)
  });
};


;// CONCATENATED MODULE: ./node_modules/@octokit/core/dist-src/version.js
const version_VERSION = "7.0.8";


;// CONCATENATED MODULE: ./node_modules/@octokit/core/dist-src/index.js






const dist_src_noop = () => {
};
const consoleWarn = console.warn.bind(console);
const consoleError = console.error.bind(console);
function createLogger(logger = {}) {
  if (typeof logger.debug !== "function") {
    logger.debug = dist_src_noop;
  }
  if (typeof logger.info !== "function") {
    logger.info = dist_src_noop;
  }
  if (typeof logger.warn !== "function") {
    logger.warn = consoleWarn;
  }
  if (typeof logger.error !== "function") {
    logger.error = consoleError;
  }
  return logger;
}
const userAgentTrail = `octokit-core.js/${version_VERSION} ${getUserAgent()}`;
class Octokit {
  static VERSION = version_VERSION;
  static defaults(defaults) {
    const OctokitWithDefaults = class extends this {
      constructor(...args) {
        const options = args[0] || {};
        if (typeof defaults === "function") {
          super(defaults(options));
          return;
        }
        super(
          Object.assign(
            {},
            defaults,
            options,
            options.userAgent && defaults.userAgent ? {
              userAgent: `${options.userAgent} ${defaults.userAgent}`
            } : null
          )
        );
      }
    };
    return OctokitWithDefaults;
  }
  static plugins = [];
  /**
   * Attach a plugin (or many) to your Octokit instance.
   *
   * @example
   * const API = Octokit.plugin(plugin1, plugin2, plugin3, ...)
   */
  static plugin(...newPlugins) {
    const currentPlugins = this.plugins;
    const NewOctokit = class extends this {
      static plugins = currentPlugins.concat(
        newPlugins.filter((plugin) => !currentPlugins.includes(plugin))
      );
    };
    return NewOctokit;
  }
  constructor(options = {}) {
    const hook = new before_after_hook.Collection();
    const requestDefaults = {
      baseUrl: request.endpoint.DEFAULTS.baseUrl,
      headers: {},
      request: Object.assign({}, options.request, {
        // @ts-ignore internal usage only, no need to type
        hook: hook.bind(null, "request")
      }),
      mediaType: {
        previews: [],
        format: ""
      }
    };
    requestDefaults.headers["user-agent"] = options.userAgent ? `${options.userAgent} ${userAgentTrail}` : userAgentTrail;
    if (options.baseUrl) {
      requestDefaults.baseUrl = options.baseUrl;
    }
    if (options.previews) {
      requestDefaults.mediaType.previews = options.previews;
    }
    if (options.timeZone) {
      requestDefaults.headers["time-zone"] = options.timeZone;
    }
    this.request = request.defaults(requestDefaults);
    this.graphql = withCustomRequest(this.request).defaults(requestDefaults);
    this.log = createLogger(options.log);
    this.hook = hook;
    if (!options.authStrategy) {
      if (!options.auth) {
        this.auth = async () => ({
          type: "unauthenticated"
        });
      } else {
        const auth = createTokenAuth(options.auth);
        hook.wrap("request", auth.hook);
        this.auth = auth;
      }
    } else {
      const { authStrategy, ...otherOptions } = options;
      const auth = authStrategy(
        Object.assign(
          {
            request: this.request,
            log: this.log,
            // we pass the current octokit instance as well as its constructor options
            // to allow for authentication strategies that return a new octokit instance
            // that shares the same internal state as the current one. The original
            // requirement for this was the "event-octokit" authentication strategy
            // of https://github.com/probot/octokit-auth-probot.
            octokit: this,
            octokitOptions: otherOptions
          },
          options.auth
        )
      );
      hook.wrap("request", auth.hook);
      this.auth = auth;
    }
    const classConstructor = this.constructor;
    for (let i = 0; i < classConstructor.plugins.length; ++i) {
      Object.assign(this, classConstructor.plugins[i](this, options));
    }
  }
  // assigned during constructor
  request;
  graphql;
  log;
  hook;
  // TODO: type `octokit.auth` based on passed options.authStrategy
  auth;
}



/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:v8"
const external_node_v8_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:v8");
;// CONCATENATED MODULE: ./action-runtime/node-version.ts
/** The one Node.js version rule of both actions (checked by the bundle itself, see action-runtime/startup.ts). */
const MIN_NODE_MAJOR = 20;
/** The problem with running on Node.js `version` (e.g. '18.19.1'), or undefined when it is new enough. */
function nodeVersionProblem(version) {
    const major = Number(version.split('.')[0]);
    if (Number.isInteger(major) && major >= MIN_NODE_MAJOR)
        return undefined;
    return (`'node' on PATH is version ${version}; this action needs Node.js ${MIN_NODE_MAJOR} or newer: ` +
        `add actions/setup-node (node-version: ${MIN_NODE_MAJOR}) before it.`);
}

;// CONCATENATED MODULE: ./action-runtime/startup.ts
/**
 * Imported first by each action's `src/index.ts`: the bundle evaluates modules in import order, so this runs before
 * any dependency is loaded (one of them could fail to load on an old Node.js before a clear message is printed).
 * The composite's bash step only checks that `node` exists: a second `node` start just to read the version cost
 * ~50 ms on every run.
 */


const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
    // Nothing else is loaded yet: the workflow command by hand (the message holds no character to escape).
    process.stdout.write(`::error title=gitops-dispatch needs Node.js ${MIN_NODE_MAJOR}::${problem}\n`);
    process.exit(1);
}
// fetch's HTTP parser is WebAssembly that V8 also compiles with its optimising tier in the background, and Node.js
// waits for that compile before the process exits (40-80 ms for one dispatch, see bench/RESULTS.md). The baseline
// compiler alone is fast enough for a few requests. Set before the first fetch compiles the parser.
(0,external_node_v8_namespaceObject.setFlagsFromString)('--liftoff-only');

;// CONCATENATED MODULE: ./core/errors.ts
class UserError extends Error {
    problems;
    constructor(problems) {
        const list = Array.isArray(problems) ? problems : [problems];
        super(list.map(formatProblem).join('\n'));
        this.name = 'UserError';
        this.problems = list;
    }
}
/** One problem as both actions log it and the CLI prints it: `file:line:column: message` (the position when known). */
function formatProblem(p) {
    const where = p.file ? `${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''}: ` : '';
    return `${where}${p.message}`;
}
/** The one-line summary after the problems are listed: the problem itself when there is one, else the count. */
function problemSummary(problems) {
    if (problems.length === 1)
        return formatProblem(problems[0]).split('\n')[0];
    return `${problems.length} problems (listed above)`;
}
/** Collects problems, then throws them all at once. */
class ProblemList {
    items = [];
    add(problem) {
        this.items.push(problem);
    }
    get empty() {
        return this.items.length === 0;
    }
    throwIfAny() {
        if (this.items.length > 0)
            throw new UserError(this.items);
    }
}
/** Text of anything thrown, for the single `setFailed` in each action's main. */
function errorMessage(error) {
    if (error instanceof Error)
        return error.message;
    if (typeof error === 'string')
        return error;
    try {
        return JSON.stringify(error);
    }
    catch {
        return String(error);
    }
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");
;// CONCATENATED MODULE: external "node:fs/promises"
const promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");
;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");
;// CONCATENATED MODULE: ./action-runtime/toolkit.ts
/**
 * The part of @actions/core the actions use: workflow commands on stdout, the GITHUB_OUTPUT file command and the job
 * summary, written exactly as @actions/core 3 writes them (test/infra/toolkit.test.ts compares the bytes).
 * @actions/core itself loads its HTTP client (a bundled undici, for OIDC tokens) and @actions/exec when it is
 * imported, for features neither action uses: about a quarter of the dispatch's cold start.
 */




var ExitCode;
(function (ExitCode) {
    ExitCode[ExitCode["Success"] = 0] = "Success";
    ExitCode[ExitCode["Failure"] = 1] = "Failure";
})(ExitCode || (ExitCode = {}));
/** null and undefined as '', strings as they are, anything else as JSON. */
function commandValue(input) {
    if (input === null || input === undefined)
        return '';
    if (typeof input === 'string' || input instanceof String)
        return String(input);
    return JSON.stringify(input);
}
function escapeData(value) {
    return commandValue(value).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(value) {
    return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
/**
 * `::name key=value,...::message`. Properties without a value are left out, but as in @actions/core the space
 * after the name stays whenever any property was given.
 */
function issueCommand(name, properties, message) {
    const entries = Object.entries(properties);
    const set = entries.filter(([, value]) => value).map(([key, value]) => `${key}=${escapeProperty(value)}`);
    process.stdout.write(`::${name}${entries.length > 0 ? ` ${set.join(',')}` : ''}::${escapeData(message)}${external_node_os_namespaceObject.EOL}`);
}
function commandProperties(p) {
    if (Object.keys(p).length === 0)
        return {};
    return {
        title: p.title,
        file: p.file,
        line: p.startLine,
        endLine: p.endLine,
        col: p.startColumn,
        endColumn: p.endColumn,
    };
}
function setSecret(secret) {
    issueCommand('add-mask', {}, secret);
}
function setOutput(name, value) {
    const file = process.env.GITHUB_OUTPUT || '';
    if (!file) {
        process.stdout.write(external_node_os_namespaceObject.EOL);
        issueCommand('set-output', { name }, commandValue(value));
        return;
    }
    // A fresh random delimiter, refused if the name or value happens to hold it.
    const delimiter = `ghadelimiter_${(0,external_node_crypto_.randomUUID)()}`;
    const text = commandValue(value);
    if (name.includes(delimiter))
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    if (text.includes(delimiter))
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    if (!(0,external_node_fs_namespaceObject.existsSync)(file))
        throw new Error(`Missing file at path: ${file}`);
    (0,external_node_fs_namespaceObject.appendFileSync)(file, `${name}<<${delimiter}${external_node_os_namespaceObject.EOL}${text}${external_node_os_namespaceObject.EOL}${delimiter}${external_node_os_namespaceObject.EOL}`, { encoding: 'utf8' });
}
function debug(message) {
    issueCommand('debug', {}, message);
}
function info(message) {
    process.stdout.write(message + external_node_os_namespaceObject.EOL);
}
function annotate(level, message, properties = {}) {
    issueCommand(level, commandProperties(properties), message instanceof Error ? message.toString() : message);
}
function notice(message, properties) {
    annotate('notice', message, properties);
}
function warning(message, properties) {
    annotate('warning', message, properties);
}
function toolkit_error(message, properties) {
    annotate('error', message, properties);
}
function setFailed(message) {
    process.exitCode = ExitCode.Failure;
    toolkit_error(message);
}
async function group(name, fn) {
    issueCommand('group', {}, name);
    try {
        return await fn();
    }
    finally {
        issueCommand('endgroup', {}, '');
    }
}
/** The job summary (GITHUB_STEP_SUMMARY): HTML and Markdown collected in a buffer, appended by `write`. */
class Summary {
    buffer = '';
    wrap(tag, content, attrs = {}) {
        const html = Object.entries(attrs)
            .map(([key, value]) => ` ${key}="${value}"`)
            .join('');
        return content ? `<${tag}${html}>${content}</${tag}>` : `<${tag}${html}>`;
    }
    addRaw(text, addEOL = false) {
        this.buffer += text;
        return addEOL ? this.addEOL() : this;
    }
    addEOL() {
        return this.addRaw(external_node_os_namespaceObject.EOL);
    }
    addHeading(text, level = 1) {
        const tag = `h${level}`;
        return this.addRaw(this.wrap(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag) ? tag : 'h1', text)).addEOL();
    }
    addTable(rows) {
        const body = rows
            .map((row) => this.wrap('tr', row
            .map((cell) => {
            if (typeof cell === 'string')
                return this.wrap('td', cell);
            const { header, data, colspan, rowspan } = cell;
            return this.wrap(header ? 'th' : 'td', data, {
                ...(colspan ? { colspan } : {}),
                ...(rowspan ? { rowspan } : {}),
            });
        })
            .join('')))
            .join('');
        return this.addRaw(this.wrap('table', body)).addEOL();
    }
    stringify() {
        return this.buffer;
    }
    async write(options = {}) {
        const file = process.env.GITHUB_STEP_SUMMARY;
        if (!file) {
            throw new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.');
        }
        try {
            await (0,promises_namespaceObject.access)(file, promises_namespaceObject.constants.R_OK | promises_namespaceObject.constants.W_OK);
        }
        catch {
            throw new Error(`Unable to access summary file: '${file}'. Check if the file has correct read/write permissions.`);
        }
        await (options.overwrite ? promises_namespaceObject.writeFile : promises_namespaceObject.appendFile)(file, this.buffer, { encoding: 'utf8' });
        this.buffer = '';
        return this;
    }
}
const summary = new Summary();

;// CONCATENATED MODULE: ./action-runtime/failure.ts
/**
 * The one failure presenter of both actions: every problem of a UserError becomes one `::error` annotation (with
 * file, line and column when the problem has them, the code as its title), then the step fails with a one-line
 * summary ("N problems (listed above)"; a single problem is its own summary, not repeated). Anything else thrown
 * fails the step with its message. Each action's main calls this once, last.
 */


/** The annotation properties of a problem: its code as the title, and its position when it has one. */
function annotationOf(p) {
    return {
        title: p.code,
        ...(p.file !== undefined
            ? { file: p.file, startLine: p.line, startColumn: p.line !== undefined ? p.column : undefined }
            : {}),
    };
}
function presentFailure(error, options = {}) {
    if (!(error instanceof UserError)) {
        setFailed(errorMessage(error));
        return;
    }
    for (const p of error.problems)
        toolkit_error(formatProblem(p), annotationOf(p));
    if (error.problems.length > 1) {
        setFailed(`${problemSummary(error.problems)}${options.outcome ? `; ${options.outcome}` : ''}`);
    }
    else {
        // setFailed would annotate the one problem a second time: fail the step as it does, without the repeat.
        process.exitCode = ExitCode.Failure;
    }
}

// EXTERNAL MODULE: ./node_modules/@octokit/core/dist-src/index.js + 13 modules
var dist_src = __nccwpck_require__(1407);
;// CONCATENATED MODULE: ./action-runtime/github.ts
/** The one place that builds an Octokit; core receives only its request function. */

/** The variables through which @actions/http-client finds a proxy (it also reads no_proxy, only when one is set). */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'];
// Octokit would print deprecation notices to the console; core's logger reports what matters.
const log = { debug() { }, info() { }, warn() { }, error() { } };
/**
 * Without a proxy: @octokit/core over Node's own fetch, as @actions/github's getOctokit would build it (the same
 * `token` authorization and user agent; its REST and pagination plugins add methods these actions do not call).
 * Loading @actions/github costs its HTTP client (a bundled undici) and every REST route at each start, and its
 * fetch compiles the HTTP parser's WebAssembly again, which the process then waits for at exit.
 * With a proxy: @actions/github, loaded then, whose fetch goes through the proxy.
 */
function createRequestFn(token, baseUrl, env = process.env) {
    const useProxy = PROXY_VARIABLES.some((name) => env[name]);
    let request;
    if (useProxy) {
        request = __nccwpck_require__.e(/* import() */ 420).then(__nccwpck_require__.bind(__nccwpck_require__, 6420)).then(({ getOctokit }) => getOctokit(token, { baseUrl, log }).request);
        // A failed load is reported by the first request that awaits it, not as an unhandled rejection before.
        request.catch(() => { });
    }
    else {
        const userAgent = orchestrationUserAgent(env);
        request = new dist_src/* Octokit */.E({
            baseUrl,
            auth: `token ${token}`,
            ...(userAgent ? { userAgent } : {}),
            request: { fetch: globalThis.fetch },
            log,
        }).request;
    }
    return async (route, params, options) => {
        // The client's time limit aborts the fetch itself, so a hung connection is closed, not left open.
        const extra = options?.signal ? { ...params?.request, signal: options.signal } : undefined;
        const response = await (await request)(route, extra ? { ...params, request: extra } : params);
        return {
            status: response.status,
            headers: response.headers,
            data: response.data,
        };
    };
}
/** The user agent @actions/github adds on a runner that sets ACTIONS_ORCHESTRATION_ID (undefined elsewhere). */
function orchestrationUserAgent(env) {
    const id = env.ACTIONS_ORCHESTRATION_ID?.trim();
    return id ? `actions_orchestration_id/${id.replace(/[^a-z0-9_.-]/gi, '_')}` : undefined;
}

;// CONCATENATED MODULE: ./action-runtime/logger.ts
/**
 * core's Logger over the workflow commands of action-runtime/toolkit.ts, shared by both actions (core itself never
 * imports @actions/*).
 */

function properties(annotation) {
    if (!annotation)
        return undefined;
    return {
        title: annotation.title,
        file: annotation.file,
        startLine: annotation.line,
        startColumn: annotation.column,
    };
}
const actionsLogger = {
    debug: (message) => debug(message),
    info: (message) => info(message),
    notice: (message, annotation) => notice(message, properties(annotation)),
    warning: (message, annotation) => warning(message, properties(annotation)),
    error: (message, annotation) => toolkit_error(message, properties(annotation)),
    group: (name, fn) => group(name, fn),
};

;// CONCATENATED MODULE: ./core/retry.ts
const retry_realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/** Exponential backoff with full jitter: random in [0, base * 2^(attempt-1)], capped. */
function jitteredBackoff(baseMs, capMs, random = Math.random) {
    return (attempt) => Math.round(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}
async function retry(fn, options) {
    const sleep = options.sleep ?? retry_realSleep;
    const backoff = options.backoffMs ?? jitteredBackoff(1000, 30_000);
    for (let attempt = 1;; attempt++) {
        try {
            return await fn(attempt);
        }
        catch (error) {
            if (attempt >= options.maxAttempts)
                throw error;
            const verdict = options.shouldRetry(error, attempt);
            if (verdict === false)
                throw error;
            const delayMs = verdict === true ? backoff(attempt) : verdict.afterMs;
            options.onRetry?.(error, attempt, delayMs);
            await sleep(delayMs);
        }
    }
}

;// CONCATENATED MODULE: ./action-runtime/sleep.ts

/**
 * Test-only: multiplies every wait (retry backoff, rate-limit waits, run polling) by this factor in [0, 1], so the
 * integration tests of the bundles never sleep seconds. Never set it in a workflow.
 */
const TEST_SLEEP_SCALE_VARIABLE = 'GITOPS_DISPATCH_TEST_ONLY_SLEEP_SCALE';
function scaledSleep(env) {
    const raw = env[TEST_SLEEP_SCALE_VARIABLE];
    const scale = Number(raw);
    const factor = raw !== undefined && raw !== '' && Number.isFinite(scale) && scale >= 0 && scale <= 1 ? scale : 1;
    return (ms) => realSleep(ms * factor);
}
/**
 * A sleep and a clock that agree: the clock moves on by every wait asked for, also by the part the test-only scale
 * skipped, so deadlines (wait-timeout) pass in tests as they would in a workflow. Without the test variable it is
 * the real clock and the real sleep.
 */
function scaledClock(env) {
    const raw = env[TEST_SLEEP_SCALE_VARIABLE];
    const scale = Number(raw);
    const factor = raw !== undefined && raw !== '' && Number.isFinite(scale) && scale >= 0 && scale <= 1 ? scale : 1;
    let skipped = 0;
    return {
        sleep: (ms) => {
            skipped += ms * (1 - factor);
            return retry_realSleep(ms * factor);
        },
        now: () => Date.now() + skipped,
    };
}

;// CONCATENATED MODULE: ./core/github/excerpt.ts
/**
 * What may be quoted from a server's answer in a message, log line or annotation: an error page can be megabytes of
 * HTML, and one `::error` line must stay readable. Whitespace runs collapse to one space (an HTML page keeps its
 * words, not its layout), and anything past `maxChars` is cut with a note saying how big the original was.
 */
const MAX_QUOTED_CHARS = 300;
function excerpt(text, maxChars = MAX_QUOTED_CHARS) {
    const flat = text.replace(/\s+/g, ' ').trim();
    // By code point, so a surrogate pair is never cut in half.
    const head = Array.from(flat.slice(0, maxChars * 2 + 2));
    if (head.length <= maxChars && flat.length <= maxChars * 2 + 2)
        return flat;
    return `${head.slice(0, maxChars).join('').trimEnd()}… (${Buffer.byteLength(text, 'utf8')} bytes, cut)`;
}

;// CONCATENATED MODULE: ./core/github/client.ts


/** About 30 s per attempt; 6 minutes in all, which covers the longest rate-limit wait this client accepts (5 min). */
const DEFAULT_REQUEST_LIMITS = { timeoutMs: 30_000, budgetMs: 6 * 60_000 };
/** Seconds for a message: "30 s", "0.05 s". */
function seconds(ms) {
    const s = ms / 1000;
    return `${s >= 10 ? Math.round(s) : Number(s.toPrecision(2))} s`;
}
const GITHUB_API_HEADERS = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
};
/** A failed request in one shape, whatever threw it (octokit's RequestError carries status and response). */
class GitHubApiError extends Error {
    status;
    headers;
    data;
    route;
    /** True when the attempt got no complete answer within its time limit. */
    timedOut = false;
    /** Set on the error a retried request finally throws: how many attempts were made, over how long. */
    attempts;
    constructor(route, status, headers, data, message) {
        super(message);
        this.name = 'GitHubApiError';
        this.route = route;
        this.status = status;
        this.headers = headers;
        this.data = data;
    }
    /** GitHub's own `message` from the error body, when there is one. */
    get githubMessage() {
        const data = this.data;
        return data && typeof data === 'object' && typeof data.message === 'string' ? data.message : undefined;
    }
    /** True when no HTTP answer arrived (connection refused, reset, DNS): octokit reports these as 500 without a response. */
    get isNetworkError() {
        return this.status === undefined;
    }
}
function toGitHubApiError(route, error) {
    if (error instanceof GitHubApiError)
        return error;
    const e = error;
    const message = typeof e?.message === 'string' ? e.message : String(error);
    const hasResponse = e?.response !== undefined && e.response !== null;
    const status = typeof e?.status === 'number' && hasResponse ? e.status : undefined;
    const headers = lowerCaseKeys(e?.response?.headers ?? {});
    // octokit makes a text answer (an HTML error page, say) the message: quote only its start.
    return new GitHubApiError(route, status, headers, e?.response?.data, excerpt(message));
}
function lowerCaseKeys(headers) {
    return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
const DEFAULT_RETRY_POLICY = {
    maxRateLimitWaitMs: 5 * 60_000,
    secondaryRateLimitWaitMs: 60_000,
    now: Date.now,
};
function header(headers, name) {
    const value = headers[name];
    return value === undefined ? undefined : String(value);
}
/**
 * Rate limit signals as GitHub documents them: `retry-after` (seconds) wins; with `x-ratelimit-remaining: 0` wait
 * until `x-ratelimit-reset` (epoch seconds); a 403/429 that says "secondary rate limit" without either header waits
 * a minute. Returns undefined when the answer is not a rate limit.
 */
function rateLimitWaitMs(error, policy = DEFAULT_RETRY_POLICY) {
    if (error.status !== 403 && error.status !== 429)
        return undefined;
    const retryAfter = header(error.headers, 'retry-after');
    if (retryAfter !== undefined && /^\s*\d+\s*$/.test(retryAfter))
        return Number(retryAfter) * 1000;
    if (retryAfter !== undefined) {
        const date = Date.parse(retryAfter);
        if (!Number.isNaN(date))
            return Math.max(0, date - policy.now());
    }
    if (header(error.headers, 'x-ratelimit-remaining') === '0') {
        const reset = Number(header(error.headers, 'x-ratelimit-reset'));
        if (Number.isFinite(reset) && reset > 0)
            return Math.max(0, reset * 1000 - policy.now());
    }
    if (error.status === 429 || /rate limit/i.test(error.githubMessage ?? ''))
        return policy.secondaryRateLimitWaitMs;
    return undefined;
}
/** Which failures are worth another attempt. Never 401, 404, 422 or a permissions 403: they fail the same way again. */
function retryVerdict(error, policy = DEFAULT_RETRY_POLICY) {
    if (error.isNetworkError)
        return { retry: true, reason: `network error (${error.message})` };
    const status = error.status ?? 0;
    if (status >= 500)
        return { retry: true, reason: `HTTP ${status}` };
    const waitMs = rateLimitWaitMs(error, policy);
    if (waitMs !== undefined) {
        if (waitMs > policy.maxRateLimitWaitMs) {
            return {
                retry: false,
                reason: `rate limited for ${Math.ceil(waitMs / 1000)} s, longer than the ${Math.round(policy.maxRateLimitWaitMs / 1000)} s this action waits`,
            };
        }
        return { retry: true, reason: `HTTP ${status} rate limit`, afterMs: waitMs };
    }
    return { retry: false, reason: `HTTP ${status}` };
}
class GitHubClient {
    options;
    policy;
    limits;
    constructor(options) {
        this.options = options;
        this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
        this.limits = { ...DEFAULT_REQUEST_LIMITS, ...options.limits };
    }
    /**
     * Sends `route`, retrying 5xx, network errors, timeouts and rate limits (bounded by attempts and by the time
     * budget); throws GitHubApiError otherwise.
     */
    async request(route, params = {}) {
        const { logger } = this.options;
        const { timeoutMs, budgetMs } = this.limits;
        const maxAttempts = this.options.maxAttempts ?? 5;
        const now = this.policy.now;
        const withHeaders = {
            ...params,
            headers: { ...GITHUB_API_HEADERS, ...params.headers },
        };
        const started = now();
        let attempts = 0;
        let budgetExhausted = false;
        try {
            return await retry(async () => {
                attempts++;
                // The last attempt gets what is left of the budget, so the whole request never outlasts it.
                const limit = Math.max(1, Math.min(timeoutMs, budgetMs - (now() - started)));
                return this.attempt(route, withHeaders, limit);
            }, {
                maxAttempts,
                sleep: this.options.sleep ?? retry_realSleep,
                backoffMs: this.options.backoffMs ?? jitteredBackoff(1000, 30_000),
                shouldRetry: (error) => {
                    if (!(error instanceof GitHubApiError))
                        return false;
                    const verdict = retryVerdict(error, this.policy);
                    if (!verdict.retry)
                        return false;
                    const delayMs = verdict.afterMs ?? 0;
                    if (now() - started + delayMs >= budgetMs) {
                        budgetExhausted = true;
                        return false;
                    }
                    return verdict.afterMs === undefined ? true : { afterMs: verdict.afterMs };
                },
                onRetry: (error, attempt, delayMs) => {
                    const verdict = retryVerdict(error, this.policy);
                    logger.warning(`${route} failed (${verdict.reason}); attempt ${attempt + 1} of ${maxAttempts} in ${(delayMs / 1000).toFixed(1)} s`);
                },
            });
        }
        catch (error) {
            if (error instanceof GitHubApiError) {
                error.attempts = { count: attempts, elapsedMs: now() - started, budgetExhausted };
            }
            throw error;
        }
    }
    /** One attempt with a time limit: the request is aborted, and a timed-out GitHubApiError thrown, when it is hit. */
    async attempt(route, params, limitMs) {
        const controller = new AbortController();
        let timer;
        const timeout = new Promise((_, reject) => {
            timer = setTimeout(() => {
                const error = new GitHubApiError(route, undefined, {}, undefined, `${route}: no answer within ${seconds(limitMs)} (time limit of one request)`);
                error.timedOut = true;
                reject(error);
                controller.abort(error);
            }, limitMs);
        });
        try {
            return await Promise.race([
                this.options.request(route, params, { signal: controller.signal }).catch((error) => {
                    throw toGitHubApiError(route, error);
                }),
                timeout,
            ]);
        }
        finally {
            clearTimeout(timer);
        }
    }
}

;// CONCATENATED MODULE: ./action-runtime/timeouts.ts


/**
 * Test-only: multiplies every time limit (GitHub API request timeout and budget, git's kill timer and low-speed
 * time) by this factor in (0, 1], so the integration tests of the bundles see a hung server time out in
 * milliseconds. Never set it in a workflow.
 */
const TEST_TIMEOUT_SCALE_VARIABLE = 'GITOPS_DISPATCH_TEST_ONLY_TIMEOUT_SCALE';
function scale(env) {
    const raw = env[TEST_TIMEOUT_SCALE_VARIABLE];
    const factor = Number(raw);
    return raw !== undefined && raw !== '' && Number.isFinite(factor) && factor > 0 && factor <= 1 ? factor : 1;
}
function requestLimits(env) {
    const f = scale(env);
    return {
        timeoutMs: Math.max(1, Math.round(DEFAULT_REQUEST_LIMITS.timeoutMs * f)),
        budgetMs: Math.max(1, Math.round(DEFAULT_REQUEST_LIMITS.budgetMs * f)),
    };
}
function gitNetworkLimits(env) {
    const f = scale(env);
    return {
        ...DEFAULT_GIT_NETWORK_LIMITS,
        // git takes whole seconds here.
        lowSpeedTimeSeconds: Math.max(1, Math.round(DEFAULT_GIT_NETWORK_LIMITS.lowSpeedTimeSeconds * f)),
        killAfterMs: Math.max(1, Math.round(DEFAULT_GIT_NETWORK_LIMITS.killAfterMs * f)),
    };
}

;// CONCATENATED MODULE: ./core/github/deployments.ts

/** GitHub's conclusion of the waited run -> the final deployment state. */
function deploymentStateFor(conclusion) {
    if (conclusion === 'success')
        return 'success';
    if (conclusion === 'failure' || conclusion === 'timed_out')
        return 'failure';
    return 'error';
}
const ROUTES = {
    create: 'POST /repos/{owner}/{repo}/deployments',
    status: 'POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
};
/** GitHub limits a deployment status description to 140 characters. */
function deployments_short(text) {
    return text.length <= 140 ? text : `${text.slice(0, 139)}…`;
}
function explainDeploymentFailure(error, spec, action) {
    const head = `Could not ${action} in ${spec.repository} (the image was dispatched; this only affects the Environments page)`;
    if (!(error instanceof GitHubApiError))
        return `${head}: ${error instanceof Error ? error.message : String(error)}`;
    const said = error.githubMessage ? ` GitHub said: "${error.githubMessage}".` : '';
    const permission = `The workflow needs 'permissions: deployments: write' for the token in input 'github-token' (default github.token)`;
    switch (error.status) {
        case undefined:
            return `${head}: no answer from GitHub (${error.message}).`;
        case 401:
            return `${head}: HTTP 401, input 'github-token' was rejected.${said} Leave it at its default, \${{ github.token }}.`;
        case 403:
        case 404:
            return `${head}: HTTP ${error.status}, the token may not create deployments.${said} ${permission}; a fine-grained token needs "Deployments: Read and write" on ${spec.repository}.`;
        case 409:
            return `${head}: HTTP 409, GitHub refused the deployment as a conflict.${said} The deployment is created with auto_merge false and no required contexts; check that commit ${spec.sha} is still on a branch of ${spec.repository}.`;
        case 422:
            return `${head}: HTTP 422, GitHub rejected the deployment.${said} Check inputs 'environment' (${JSON.stringify(spec.environment)}) and 'environment-url'; an environment with protection rules may refuse deployments from this branch.`;
        default:
            return `${head}: HTTP ${error.status}.${said}`;
    }
}
class DeploymentTracker {
    client;
    spec;
    logger;
    id;
    logUrl = '';
    owner;
    repo;
    /** Every state set, in order (for the summary and tests). */
    states = [];
    constructor(client, spec, logger) {
        this.client = client;
        this.spec = spec;
        this.logger = logger;
        [this.owner = '', this.repo = ''] = spec.repository.split('/');
    }
    get deploymentId() {
        return this.id;
    }
    /** Creates the deployment for the source commit; a refusal only warns. */
    async create() {
        try {
            const answer = await this.client.request(ROUTES.create, {
                owner: this.owner,
                repo: this.repo,
                ref: this.spec.sha,
                environment: this.spec.environment,
                auto_merge: false,
                required_contexts: [],
                production_environment: this.spec.production,
                description: deployments_short(this.spec.description),
                payload: this.spec.payload,
            });
            const id = answer.data?.id;
            if (answer.status !== 201 || typeof id !== 'number') {
                const message = answer.data?.message;
                this.logger.warning(`GitHub did not create a deployment in ${this.spec.repository} (HTTP ${answer.status}${typeof message === 'string' ? `: ${message}` : ''}); the Environments page will not show this dispatch`);
                return;
            }
            this.id = id;
            this.logger.info(`Created deployment ${id} of ${this.spec.sha.slice(0, 12)} to '${this.spec.environment}' in ${this.spec.repository}`);
        }
        catch (error) {
            this.logger.warning(explainDeploymentFailure(error, this.spec, 'create a deployment'));
        }
    }
    /** The downstream run is known: `in_progress`, with the run as the log. */
    async started(runUrl) {
        this.logUrl = runUrl ?? '';
        await this.setState('in_progress', 'The GitOps repository is updating');
    }
    /** Final state from the run's conclusion (undefined: no conclusion, e.g. the run was never found -> error). */
    async finish(conclusion, reason) {
        const state = deploymentStateFor(conclusion);
        const description = conclusion === undefined
            ? `No conclusion: ${reason ?? 'the run was not followed'}`
            : `The GitOps run concluded ${conclusion}`;
        await this.setState(state, description);
    }
    async setState(state, description) {
        if (this.id === undefined)
            return;
        const final = state !== 'in_progress';
        try {
            await this.client.request(ROUTES.status, {
                owner: this.owner,
                repo: this.repo,
                deployment_id: this.id,
                state,
                description: deployments_short(description),
                ...(this.logUrl ? { log_url: this.logUrl } : {}),
                ...(final && this.spec.environmentUrl ? { environment_url: this.spec.environmentUrl } : {}),
                ...(state === 'success' ? { auto_inactive: true } : {}),
            });
            this.states.push(state);
            this.logger.info(`Deployment ${this.id} is ${state}`);
        }
        catch (error) {
            this.logger.warning(explainDeploymentFailure(error, this.spec, `set deployment ${this.id} to ${state}`));
        }
    }
}

;// CONCATENATED MODULE: ./core/payload/model.ts
/**
 * The dispatch payload contract (client_payload, version 1) and GitHub's limits on it.
 * Key names are a contract (README: dispatch-action): receivers written against the seed read them as they are.
 */
/** Keys the action writes itself; a user key with one of these names is an error, never a silent override. */
/** The event type both sides use unless told otherwise (dispatch-action's `event-type`, the config's `event-type`). */
const DEFAULT_EVENT_TYPE = 'update-gitops-repo';
const RESERVED_KEYS = ['docker_image_tag', 'git_branch', 'commit_message', 'image', 'digest', 'source'];
const LIMITS = {
    /**
     * GitHub: "The total size of the JSON payload must be less than 64KB". Measured here, conservatively, as the
     * UTF-8 bytes of the whole request body (event_type included), which must stay below 65,536.
     */
    maxBodyBytes: 65_535,
    /** GitHub: "The maximum number of top-level properties is 10." (client_payload maxProperties) */
    maxTopLevelKeys: 10,
    /** GitHub: event_type "Must be 100 characters or fewer." Counted in code points, not UTF-16 units. */
    maxEventTypeChars: 100,
    /** GitHub raised workflow_dispatch inputs from 10 to 25 (December 2025). */
    maxWorkflowInputs: 25,
};
const DISPATCH_MODES = ['repository_dispatch', 'workflow_dispatch'];
/** Appended to a commit message shortened to fit the size limit, so a reader knows text is missing. */
const TRUNCATION_MARKER = '\n… [truncated by gitops-dispatch to fit GitHub’s 64 KB payload limit]';

;// CONCATENATED MODULE: ./core/payload/serialize.ts
/** The request bodies, serialised once, measured in UTF-8 bytes, and shortened to fit when the commit message allows. */

function utf8Bytes(text) {
    return Buffer.byteLength(text, 'utf8');
}
function repositoryDispatchBody(eventType, payload) {
    return JSON.stringify({ event_type: eventType, client_payload: payload });
}
/**
 * workflow_dispatch inputs are strings only. Strings pass unchanged; every other value (the `source` object, user
 * numbers, booleans, objects) is JSON-encoded, so nothing is lost and a receiver reads it back with `fromJSON()`.
 * Flattening `source` into `source_repository`, ... was rejected: it costs five of GitHub's input slots, and the
 * receiving workflow would have to declare each of them.
 */
function toWorkflowInputs(payload) {
    return Object.fromEntries(Object.entries(payload).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
}
function workflowDispatchBody(ref, payload) {
    return JSON.stringify({ ref, inputs: toWorkflowInputs(payload), return_run_details: true });
}
/**
 * Shortens commit_message, on a code point boundary and with a visible marker, to the longest prefix whose body
 * fits in `maxBytes`. Returns undefined when even an empty message (plus marker) would not fit.
 */
function shortenCommitMessage(payload, serialize, maxBytes = LIMITS.maxBodyBytes) {
    const codePoints = Array.from(payload.commit_message ?? '');
    const attempt = (keep) => {
        const shorter = { ...payload, commit_message: codePoints.slice(0, keep).join('') + TRUNCATION_MARKER };
        return { payload: shorter, body: serialize(shorter) };
    };
    // Largest `keep` that fits; the body size grows monotonically with `keep`.
    let low = 0;
    let high = codePoints.length - 1;
    let best;
    while (low <= high) {
        const middle = Math.floor((low + high) / 2);
        const candidate = attempt(middle);
        if (utf8Bytes(candidate.body) <= maxBytes) {
            best = { ...candidate, keep: middle };
            low = middle + 1;
        }
        else {
            high = middle - 1;
        }
    }
    if (!best)
        return undefined;
    return { payload: best.payload, body: best.body, removedCodePoints: codePoints.length - best.keep };
}

;// CONCATENATED MODULE: ./core/github/explain.ts


const NEW_TOKEN = "Create a new fine-grained token at https://github.com/settings/personal-access-tokens/new (or on your GitHub Enterprise Server: Settings > Developer settings > Personal access tokens), then update the secret passed as input 'token'";
function permissionFor(mode) {
    return mode === 'workflow_dispatch' ? '"Actions: Read and write"' : '"Contents: Read and write"';
}
function classicScope() {
    return 'a classic token needs the "repo" scope (or "public_repo" for a public repository)';
}
/**
 * GitHub's message plus any `errors` details of a 422, as GitHub wrote them; only the start of a long answer (an
 * HTML error page from a proxy can be megabytes).
 */
function githubDetails(error) {
    return excerpt(fullDetails(error));
}
function fullDetails(error) {
    const data = error.data;
    if (!data || typeof data !== 'object')
        return typeof error.data === 'string' && error.data ? error.data : '';
    const parts = [];
    if (typeof data.message === 'string')
        parts.push(data.message);
    if (Array.isArray(data.errors)) {
        for (const item of data.errors) {
            if (typeof item === 'string')
                parts.push(item);
            else if (item && typeof item === 'object') {
                const e = item;
                const text = [e.resource, e.field, e.code, e.message].filter((x) => typeof x === 'string').join(' ');
                parts.push(text || JSON.stringify(item));
            }
        }
    }
    return parts.join('; ');
}
/** " after 5 attempts in 152 s", with a note when the time budget stopped the retries; '' when not retried. */
function attemptsMade(error) {
    const a = error.attempts;
    if (!a)
        return '';
    const budget = a.budgetExhausted ? ' (the time budget of one request ran out)' : '';
    return ` after ${a.count} attempt${a.count === 1 ? '' : 's'} in ${seconds(a.elapsedMs)}${budget}`;
}
/**
 * For a request that got no answer (timeout or network error): what happened, e.g. "GET /repos/{owner}/{repo}/pulls:
 * no answer within 30 s (time limit of one request) after 5 attempts in 152 s". Undefined for an HTTP answer.
 */
function describeNoAnswer(error) {
    if (error.status !== undefined)
        return undefined;
    const what = error.message.startsWith(error.route) ? error.message : `${error.route}: ${error.message}`;
    return `${what}${attemptsMade(error)}`;
}
function explainFailure(error, context) {
    const head = `Could not ${context.action} to ${context.repository}`;
    const said = githubDetails(error);
    const quote = said ? ` GitHub said: "${said}".` : '';
    switch (error.status) {
        case undefined: {
            const tried = attemptsMade(error);
            if (error.timedOut) {
                return `${head}: GitHub did not answer in time (${error.message})${tried}. Check input 'api-url' and the runner's network, or https://www.githubstatus.com, then run the job again. GitHub may have received the request even so; dispatching again is harmless (the receiver makes no commit when the files already hold the tag).`;
            }
            return `${head}: no answer from GitHub (${error.message})${tried}. Check input 'api-url' and the runner's network; the request was retried and kept failing.`;
        }
        case 401:
            return `${head}: HTTP 401, the token was rejected: it is invalid, expired or revoked.${quote} ${NEW_TOKEN}. Fine-grained tokens need ${context.permission ?? permissionFor(context.mode)} on ${context.repository}.`;
        case 403: {
            const accepted = error.headers['x-accepted-github-permissions'];
            const wanted = context.permission ?? permissionFor(context.mode);
            const acceptedText = accepted !== undefined && String(accepted) !== ''
                ? ` GitHub accepts these permissions for this request (X-Accepted-GitHub-Permissions): ${String(accepted)}.`
                : '';
            if (rateLimitWaitMs(error) !== undefined) {
                return `${head}: HTTP 403, rate limited and the wait was too long or retries ran out.${quote} Try again later.`;
            }
            return `${head}: HTTP 403, the token lacks a permission.${quote}${acceptedText} A fine-grained token needs ${wanted} on ${context.repository} (edit it at https://github.com/settings/personal-access-tokens); ${classicScope()}. A GitHub App needs the same permission and must be installed on ${context.repository}.`;
        }
        case 404: {
            const workflowPart = context.mode === 'workflow_dispatch'
                ? ` For workflow_dispatch, also check that input 'workflow' (${JSON.stringify(context.workflow ?? '')}) is the file name of a workflow in .github/workflows of ${context.repository} (e.g. gitops-receive.yml) that has a workflow_dispatch trigger on the default branch.`
                : '';
            return `${head}: HTTP 404, GitHub says the repository ${context.repository} does not exist or the token cannot see it.${quote} Check input 'repository' (owner/repo). GitHub answers 404 instead of 403 for private repositories a token cannot see: the token needs ${context.permission ?? permissionFor(context.mode)} on ${context.repository}: a fine-grained token must list ${context.repository} under "Repository access" (its resource owner must be ${context.repository.split('/')[0]}) and grant that permission; a classic token needs the "repo" scope.${workflowPart}`;
        }
        case 422:
            return `${head}: HTTP 422, GitHub rejected the request.${quote}${context.mode === 'workflow_dispatch' ? " For workflow_dispatch, every key sent must be declared under on.workflow_dispatch.inputs of the target workflow, and input 'ref' must be an existing branch or tag." : ''}`;
        case 429:
            return `${head}: HTTP 429, rate limited and the wait was too long or retries ran out.${quote} Try again later.`;
        default:
            return `${head}: HTTP ${error.status}.${quote}${error.status >= 500 ? ' GitHub kept failing after retries; try again later or check https://www.githubstatus.com.' : ''}`;
    }
}

;// CONCATENATED MODULE: ./core/github/runs.ts
/**
 * Following the run a dispatch started. workflow_dispatch reports its run id; a repository_dispatch does not, so the
 * sender puts a unique `source.dispatch_id` in the payload, the receiver's `run-name:` shows it in the run's display
 * title, and the sender finds the run by that title among the target's repository_dispatch runs.
 */


/**
 * A dispatch id is a decimal integer in [1e15, 9e15): GitHub's expressions have no regular expressions, but
 * `id >= 1e15 && id < 9e15` coerces a string to a number only when it is a JSON number (written with exponents:
 * actionlint reads integer literals as 32-bit and rejects 1000000000000000),
 * so a receiver's `run-name:` can check the shape before showing it (see RUN_NAME_EXPRESSION).
 */
const DISPATCH_ID_MIN = 1000000000000000n;
const DISPATCH_ID_MAX = 9000000000000000n;
const DISPATCH_ID_PATTERN = /^[1-8][0-9]{15}$/;
/** A fresh id: 8e15 possible values (about 2^53), so two dispatches in the same second never share one. */
function newDispatchId(random = external_node_crypto_.randomBytes) {
    const value = random(8).readBigUInt64BE() % (DISPATCH_ID_MAX - DISPATCH_ID_MIN);
    return String(DISPATCH_ID_MIN + value);
}
/** The text a receiver's display title carries for a dispatch: `[dispatch <id>]`. */
function dispatchTitleToken(dispatchId) {
    return `[dispatch ${dispatchId}]`;
}
/**
 * What the generated receiver (and a hand-written one) sets as `run-name:`: the id only when it has the expected
 * shape, in the form dispatchTitleToken() makes; otherwise a fixed title.
 */
const RUN_NAME_EXPRESSION = 
// biome-ignore lint/suspicious/noTemplateCurlyInString: an Actions expression, written into workflow files as is
"${{ github.event_name == 'repository_dispatch' && github.event.client_payload.source.dispatch_id >= 1e15 && github.event.client_payload.source.dispatch_id < 9e15 && format('GitOps update [dispatch {0}]', github.event.client_payload.source.dispatch_id) || 'GitOps update' }}";
/** True when `title` carries exactly this id (not one that merely starts with the same digits). */
function titleHasDispatchId(title, dispatchId) {
    return title.includes(dispatchTitleToken(dispatchId));
}
function toRunSummary(raw) {
    const r = raw;
    if (!r || typeof r !== 'object' || typeof r.id !== 'number')
        return undefined;
    return {
        id: r.id,
        htmlUrl: typeof r.html_url === 'string' ? r.html_url : '',
        displayTitle: typeof r.display_title === 'string' ? r.display_title : '',
        status: typeof r.status === 'string' ? r.status : 'unknown',
        conclusion: typeof r.conclusion === 'string' ? r.conclusion : null,
        createdAt: typeof r.created_at === 'string' ? r.created_at : '',
    };
}
const runs_ROUTES = {
    listRuns: 'GET /repos/{owner}/{repo}/actions/runs',
    getRun: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
};
/** Polls for the search: 2, 4, 8, 15, 15, ... seconds. */
function searchBackoffMs(attempt) {
    return Math.min(15_000, 2000 * 2 ** attempt);
}
/**
 * Finds the repository_dispatch run whose display title carries `dispatchId`, created at or after `since` (ms;
 * a minute of clock skew allowed). Polls with backoff until `deadline`, then fails naming the likely causes.
 */
async function findDispatchedRun(call, dispatchId, since, eventType, o) {
    const repository = `${o.owner}/${o.repo}`;
    const created = `>=${new Date(since - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z')}`;
    o.logger.info(`Looking for the run of dispatch ${dispatchId} in ${repository} (display title ${dispatchTitleToken(dispatchId)})`);
    for (let attempt = 0;; attempt++) {
        const answer = await call(runs_ROUTES.listRuns, { owner: o.owner, repo: o.repo, event: 'repository_dispatch', created, per_page: 100 }, 'list the workflow runs (to find the run of this dispatch)');
        const listed = answer.data?.workflow_runs;
        const runs = (Array.isArray(listed) ? listed : [])
            .map(toRunSummary)
            .filter((r) => r !== undefined);
        const ours = runs.filter((r) => titleHasDispatchId(r.displayTitle, dispatchId));
        if (ours.length > 0) {
            // Several (a re-run keeps its id, a duplicate workflow listens too): the first one created is ours.
            ours.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
            const run = ours[0];
            if (ours.length > 1) {
                o.logger.warning(`${ours.length} runs in ${repository} carry dispatch ${dispatchId}; following the first, ${run.htmlUrl || run.id}. Are two workflows listening to '${eventType}'?`);
            }
            o.logger.info(`Found run ${run.id} of dispatch ${dispatchId}: ${run.htmlUrl}`);
            return run;
        }
        const delay = searchBackoffMs(attempt);
        if (o.now() + delay > o.deadline) {
            throw new UserError({
                code: 'run/not-found',
                input: 'wait-timeout',
                message: `No run of dispatch ${dispatchId} appeared in ${repository} within ${o.timeoutSeconds} s (input 'wait-timeout'; ${runs.length} other repository_dispatch run(s) seen). The event was accepted, so the likely causes are: the receiving workflow is not on ${repository}'s default branch (GitHub starts repository_dispatch workflows only from there); its 'on: repository_dispatch: types:' does not list '${eventType}' (input 'event-type'); Actions are disabled for ${repository}; or the receiving workflow does not set 'run-name:' with the dispatch id (regenerate it with gitops-dispatch, or add run-name: ${RUN_NAME_EXPRESSION})`,
            });
        }
        await o.sleep(delay);
    }
}
/** Polls a run until it completes or the deadline passes; returns its conclusion. */
async function waitForRunCompletion(call, run, o) {
    const interval = o.pollIntervalMs ?? 10_000;
    let lastStatus = '';
    for (;;) {
        const answer = await call(runs_ROUTES.getRun, { owner: o.owner, repo: o.repo, run_id: run.id }, `read the status of run ${run.id}`);
        const summary = toRunSummary(answer.data);
        const status = summary?.status ?? 'unknown';
        if (status !== lastStatus)
            o.logger.info(`Run ${run.id} is ${status}`);
        lastStatus = status;
        if (status === 'completed')
            return summary?.conclusion || 'unknown';
        if (o.now() + interval > o.deadline) {
            throw new UserError({
                code: 'run/timeout',
                input: 'wait-timeout',
                message: `Run ${run.id} did not complete within ${o.timeoutSeconds} s (input 'wait-timeout'); last status '${status}'. See ${run.htmlUrl || `run ${run.id} in ${o.owner}/${o.repo}`}`,
            });
        }
        await o.sleep(interval);
    }
}

;// CONCATENATED MODULE: ./core/github/dispatch.ts
/** Sends a prepared dispatch and, for workflow_dispatch, follows the run it started. */







const dispatch_ROUTES = {
    repositoryDispatch: 'POST /repos/{owner}/{repo}/dispatches',
    workflowDispatch: 'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
    getRepository: 'GET /repos/{owner}/{repo}',
    getRun: 'GET /repos/{owner}/{repo}/actions/runs/{run_id}',
};
async function sendDispatch(prepared, client, logger, outputs, options) {
    const repository = `${prepared.owner}/${prepared.repo}`;
    const context = (action) => ({
        mode: prepared.mode,
        repository,
        workflow: prepared.workflow,
        action,
    });
    const call = async (route, params, action) => {
        try {
            return await client.request(route, params);
        }
        catch (error) {
            if (error instanceof GitHubApiError) {
                throw new UserError({
                    code: `github/${error.status ?? 'network'}`,
                    message: explainFailure(error, context(action)),
                });
            }
            throw error;
        }
    };
    const now = options.now ?? Date.now;
    // wait-timeout bounds the whole wait, the search for a repository_dispatch's run included.
    const startedAt = now();
    const runWait = () => ({
        owner: prepared.owner,
        repo: prepared.repo,
        deadline: startedAt + options.waitTimeoutMs,
        timeoutSeconds: Math.round(options.waitTimeoutMs / 1000),
        sleep: options.sleep ?? retry_realSleep,
        now,
        logger,
        pollIntervalMs: options.pollIntervalMs,
    });
    if (prepared.mode === 'repository_dispatch') {
        const body = prepared.body();
        logger.info(`Sending repository_dispatch '${prepared.eventType}' to ${repository} (${utf8Bytes(body)} bytes)`);
        await call(dispatch_ROUTES.repositoryDispatch, { owner: prepared.owner, repo: prepared.repo, data: body }, 'send the repository_dispatch event');
        outputs.set('payload', body);
        logger.info(`GitHub accepted the repository_dispatch event for ${repository}`);
        await options.onAccepted?.();
        if (!options.wait)
            return { body };
        const dispatchId = prepared.payload.source?.dispatch_id;
        if (!dispatchId) {
            throw new UserError({
                code: 'run/no-dispatch-id',
                input: 'wait',
                message: "Input 'wait' is true but the payload has no source.dispatch_id to find the run by",
            });
        }
        const runsCall = (route, params, action) => callRuns(client, route, params, action, repository);
        const found = await findDispatchedRun(runsCall, dispatchId, startedAt, prepared.eventType, runWait());
        outputs.set('run-id', String(found.id));
        if (found.htmlUrl)
            outputs.set('run-url', found.htmlUrl);
        await options.onRun?.(found);
        const conclusion = await waitForRunCompletion(runsCall, found, runWait());
        return finishRun(outputs, logger, options, repository, {
            body,
            runId: found.id,
            runUrl: found.htmlUrl,
            conclusion,
        });
    }
    let ref = prepared.ref;
    if (!ref) {
        const answer = await call(dispatch_ROUTES.getRepository, { owner: prepared.owner, repo: prepared.repo }, "look up the default branch (input 'ref' is empty)");
        const defaultBranch = answer.data?.default_branch;
        if (typeof defaultBranch !== 'string' || defaultBranch === '') {
            throw new UserError({
                code: 'github/no-default-branch',
                input: 'ref',
                message: `GitHub did not report a default branch for ${repository}; set input 'ref' to the branch the workflow should run on`,
            });
        }
        ref = defaultBranch;
        logger.info(`Input 'ref' is empty; using ${repository}'s default branch ${JSON.stringify(ref)}`);
    }
    const body = prepared.body(ref);
    if (utf8Bytes(body) > LIMITS.maxBodyBytes) {
        throw new UserError({
            code: 'payload/too-large',
            input: 'ref',
            message: `The request body with ref ${JSON.stringify(ref)} is ${utf8Bytes(body)} bytes; GitHub requires less than 64 KB`,
        });
    }
    logger.info(`Sending workflow_dispatch of ${prepared.workflow} on ${ref} to ${repository} (${utf8Bytes(body)} bytes)`);
    const answer = await call(dispatch_ROUTES.workflowDispatch, { owner: prepared.owner, repo: prepared.repo, workflow_id: prepared.workflow, data: body }, `start workflow ${JSON.stringify(prepared.workflow)} with workflow_dispatch`);
    outputs.set('payload', body);
    const details = answer.status === 200 ? answer.data : undefined;
    const runId = typeof details?.workflow_run_id === 'number' ? details.workflow_run_id : undefined;
    const runUrl = typeof details?.html_url === 'string' ? details.html_url : undefined;
    if (runId === undefined) {
        const why = `GitHub answered ${answer.status} without run details (GitHub Enterprise Server versions without return_run_details do this)`;
        if (options.wait) {
            throw new UserError({
                code: 'github/no-run-details',
                input: 'wait',
                message: `The workflow_dispatch was accepted, but input 'wait' is true and ${why}, so the run cannot be followed. Set 'wait' to false on this server`,
            });
        }
        logger.info(`The workflow_dispatch was accepted; ${why}`);
        return { body, ref };
    }
    outputs.set('run-id', String(runId));
    if (runUrl)
        outputs.set('run-url', runUrl);
    logger.info(`Started run ${runId}${runUrl ? `: ${runUrl}` : ''}`);
    await options.onAccepted?.();
    if (!options.wait)
        return { body, ref, runId, runUrl };
    await options.onRun?.({ id: runId, htmlUrl: runUrl });
    const conclusion = await waitForRunCompletion(call, { id: runId, htmlUrl: runUrl }, runWait());
    return finishRun(outputs, logger, options, repository, { body, ref, runId, runUrl, conclusion });
}
async function finishRun(outputs, logger, options, repository, result) {
    const { runId, runUrl, conclusion } = result;
    outputs.set('run-conclusion', conclusion);
    await options.onConclusion?.(conclusion);
    if (conclusion !== 'success') {
        throw new UserError({
            code: 'run/not-successful',
            message: `The dispatched run finished with conclusion '${conclusion}': ${runUrl || `run ${runId} in ${repository}`}`,
        });
    }
    logger.info(`The dispatched run succeeded: ${runUrl || runId}`);
    return result;
}
/** Reading runs needs "Actions: Read-only" on the target, which a dispatch-only token may lack: say so. */
async function callRuns(client, route, params, action, repository) {
    try {
        return await client.request(route, params);
    }
    catch (error) {
        if (error instanceof GitHubApiError) {
            throw new UserError({
                code: `github/${error.status ?? 'network'}`,
                input: error.status === 403 || error.status === 404 ? 'token' : undefined,
                message: explainFailure(error, {
                    mode: 'repository_dispatch',
                    repository,
                    action,
                    permission: '"Actions: Read-only" (to find and follow the run; input \'wait\' is true) besides "Contents: Read and write"',
                }),
            });
        }
        throw error;
    }
}

;// CONCATENATED MODULE: external "node:child_process"
const external_node_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");
;// CONCATENATED MODULE: ./core/git/redact.ts
/**
 * Removes credentials from text that may reach logs, errors or outputs (git's stderr, remote URLs, headers).
 * Known secrets are replaced wherever they occur, also in their base64 `x-access-token:` form; the patterns catch
 * tokens nobody told us about.
 */
const MASK = '***';
const PATTERNS = [
    // GitHub token formats: classic and fine-grained PATs, app installation, OAuth, user-to-server, refresh.
    /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
    // Userinfo in URLs: https://user:secret@host or https://secret@host
    /(?<=[a-z][a-z0-9+.-]*:\/\/)[^/\s@'"]+(?=@)/gi,
];
// Header values: keep the scheme so the reader still sees what kind of credential was there.
const HEADER = /\b(authorization:?\s*(?:basic|bearer|token)\s+)[^\s'"]+/gi;
function redact_redactSecrets(text, secrets = []) {
    let out = text;
    for (const secret of secrets) {
        if (secret.length < 4)
            continue; // a 1-3 character "secret" would mask ordinary words
        for (const form of secretForms(secret))
            out = out.split(form).join(MASK);
    }
    out = out.replace(HEADER, `$1${MASK}`);
    for (const pattern of PATTERNS)
        out = out.replace(pattern, MASK);
    return out;
}
function secretForms(secret) {
    const basic = Buffer.from(`x-access-token:${secret}`, 'utf8').toString('base64');
    return [secret, basic, encodeURIComponent(secret)].filter((form, i, all) => all.indexOf(form) === i);
}

;// CONCATENATED MODULE: ./core/git/git.ts
/**
 * One small wrapper around the git CLI (after peter-evans/create-pull-request's GitCommandManager): a single
 * `exec`, methods that may fail are named `try...` and return the result instead of throwing.
 *
 * Git never prompts, never gets a token in argv or a URL (the checkout's persisted http extraheader does the auth),
 * speaks English (so push failures can be classified), and the identity of a commit is passed as `-c` options,
 * never written into anyone's git config.
 *
 * Git runs no program the checkout's config or a step before could have planted for it: hooks (`.git/hooks`,
 * `core.hooksPath`, e.g. husky's) and `core.fsmonitor` are switched off on every command. What git does run on
 * purpose (a credential helper, `core.sshCommand`, an LFS filter, a signing program) gets an environment without
 * the action's inputs (`INPUT_*`), the runner's own tokens, or any variable holding a secret the caller named.
 *
 * Every network command (fetch, push, ls-remote, clone) has a time limit: git's low-speed limit (HTTP transfers
 * slower than `lowSpeedLimitBytes` per second for `lowSpeedTimeSeconds` are abandoned) and a kill timer on the
 * process; the result then says which command timed out and after how long.
 */



const git_DEFAULT_GIT_NETWORK_LIMITS = {
    lowSpeedLimitBytes: 1000,
    lowSpeedTimeSeconds: 60,
    killAfterMs: 5 * 60_000,
};
/** Commands that talk to a remote and so get the time limits. */
const NETWORK_COMMANDS = new Set(['fetch', 'push', 'ls-remote', 'clone', 'pull']);
/** On every command: no hooks (a path that cannot hold any) and no fsmonitor program. */
const SAFE_GIT_CONFIG = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false'];
/** The runner's own credentials: git never needs them. */
const RUNNER_SECRETS = [
    'ACTIONS_RUNTIME_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
    'ACTIONS_ID_TOKEN_REQUEST_URL',
    'ACTIONS_RESULTS_URL',
    'ACTIONS_CACHE_URL',
    'ACTIONS_RUNTIME_URL',
];
/**
 * `base` without the variables git must not see: the action's inputs (INPUT_*, the token among them), the
 * runner's credentials, `dropped`, and any variable whose value contains one of `secrets` (e.g. a GITHUB_TOKEN
 * set to the same token). Git authenticates through the checkout's persisted http extraheader, not the environment.
 */
function gitEnvironment(base, options = {}) {
    const secrets = (options.secrets ?? []).filter((s) => s.length >= 8);
    const out = {};
    for (const [key, value] of Object.entries(base)) {
        if (value === undefined)
            continue;
        if (/^INPUT_/i.test(key) || RUNNER_SECRETS.includes(key) || options.dropped?.includes(key))
            continue;
        if (secrets.some((secret) => value.includes(secret)))
            continue;
        out[key] = value;
    }
    return out;
}
/** The git command of `args` (after leading options such as `-c key=value`), e.g. `push`. */
function commandOf(args) {
    for (let i = 0; i < args.length; i++) {
        const arg = args[i] ?? '';
        if (arg === '-c' || arg === '-C')
            i++;
        else if (!arg.startsWith('-'))
            return arg;
    }
    return undefined;
}
function git_seconds(ms) {
    const s = ms / 1000;
    return `${s >= 10 ? Math.round(s) : Number(s.toPrecision(2))} s`;
}
/** A git command that failed; the message holds git's own words, with anything token-like removed. */
class GitCommandError extends Error {
    args;
    result;
    constructor(args, result) {
        const output = redact_redactSecrets((result.stderr.trim() || result.stdout.trim()).slice(0, 4000));
        super(`git ${redact_redactSecrets(args.join(' '))} failed (exit code ${result.exitCode}): ${output}`);
        this.name = 'GitCommandError';
        this.args = args;
        this.result = result;
    }
}
/** Variables that make git ask a human, or that would override the `-c user.*` identity of a commit. */
const DROPPED_ENV = (/* unused pure expression or super */ null && ([
    'GIT_AUTHOR_NAME',
    'GIT_AUTHOR_EMAIL',
    'GIT_AUTHOR_DATE',
    'GIT_COMMITTER_NAME',
    'GIT_COMMITTER_EMAIL',
    'GIT_COMMITTER_DATE',
    'GIT_EDITOR',
    'GIT_DIR',
    'GIT_WORK_TREE',
    'GIT_INDEX_FILE',
]));
class Git {
    cwd;
    env;
    logger;
    network;
    constructor(cwd, options = {}) {
        this.cwd = cwd;
        this.logger = options.logger ?? silentLogger;
        this.network = { ...git_DEFAULT_GIT_NETWORK_LIMITS, ...options.network };
        const base = gitEnvironment(process.env, { secrets: options.secrets, dropped: DROPPED_ENV });
        this.env = {
            ...base,
            ...options.env,
            GIT_TERMINAL_PROMPT: '0',
            GCM_INTERACTIVE: 'never',
            // English messages: push failures are classified by git's wording.
            LC_ALL: 'C',
            LANGUAGE: 'C',
            GIT_EDITOR: 'true',
        };
    }
    exec(args, options = {}) {
        const shown = `git ${redactSecrets(args.join(' '))}`;
        this.logger.debug(shown);
        const limits = this.network;
        const networked = NETWORK_COMMANDS.has(commandOf(args) ?? '');
        const spawnArgs = [...SAFE_GIT_CONFIG];
        if (networked) {
            spawnArgs.push('-c', `http.lowSpeedLimit=${limits.lowSpeedLimitBytes}`);
            spawnArgs.push('-c', `http.lowSpeedTime=${limits.lowSpeedTimeSeconds}`);
        }
        spawnArgs.push(...args);
        // Its own process group, so the kill timer also stops the remote helper (git-remote-https) git started.
        const group = process.platform !== 'win32';
        return new Promise((resolve, reject) => {
            const child = spawn('git', spawnArgs, {
                cwd: this.cwd,
                env: this.env,
                stdio: ['pipe', 'pipe', 'pipe'],
                detached: group,
            });
            const out = [];
            const err = [];
            let killed;
            const stop = (signal) => {
                try {
                    if (group && child.pid !== undefined)
                        process.kill(-child.pid, signal);
                    else
                        child.kill(signal);
                }
                catch {
                    // already gone
                }
            };
            let graceTimer;
            const killTimer = networked
                ? setTimeout(() => {
                    killed = `${shown} timed out: stopped after ${git_seconds(limits.killAfterMs)} (the time limit of a git network command)`;
                    stop('SIGTERM'); // lets git remove its lock files
                    graceTimer = setTimeout(() => stop('SIGKILL'), 2000);
                }, limits.killAfterMs)
                : undefined;
            child.stdout.on('data', (chunk) => out.push(chunk));
            child.stderr.on('data', (chunk) => err.push(chunk));
            child.stdin.on('error', () => { }); // git may exit before reading its input
            child.on('error', (error) => {
                clearTimeout(killTimer);
                clearTimeout(graceTimer);
                reject(error); // git missing or cwd gone: not a git exit code
            });
            child.on('close', (code, signal) => {
                clearTimeout(killTimer);
                clearTimeout(graceTimer);
                const stderr = Buffer.concat(err).toString('utf8');
                let timedOut = killed;
                if (!timedOut && networked && code !== 0 && /Operation too slow/i.test(stderr)) {
                    timedOut =
                        `${shown} timed out: less than ${limits.lowSpeedLimitBytes} bytes/s for ` +
                            `${limits.lowSpeedTimeSeconds} s (http.lowSpeedLimit, http.lowSpeedTime)`;
                }
                const result = {
                    exitCode: code ?? (signal ? 128 : 1),
                    stdout: Buffer.concat(out).toString('utf8'),
                    stderr: timedOut ? `${timedOut}\n${stderr}` : stderr,
                };
                if (timedOut)
                    result.timedOut = timedOut;
                if (result.exitCode !== 0 && !options.allowFailure)
                    reject(new GitCommandError(args, result));
                else
                    resolve(result);
            });
            child.stdin.end(options.input ?? '');
        });
    }
    /** The checked-out branch's short name, or undefined when HEAD is detached. */
    async currentBranch() {
        const result = await this.exec(['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFailure: true });
        return result.exitCode === 0 ? result.stdout.trim() : undefined;
    }
    async headSha() {
        return this.revParse('HEAD');
    }
    async revParse(ref) {
        return (await this.exec(['rev-parse', '--verify', '--end-of-options', ref])).stdout.trim();
    }
    async tryRevParse(ref) {
        const result = await this.exec(['rev-parse', '--verify', '--quiet', '--end-of-options', ref], {
            allowFailure: true,
        });
        return result.exitCode === 0 ? result.stdout.trim() : undefined;
    }
    /** Fetches one branch into its remote-tracking ref (forced: the tracking ref follows the remote). */
    tryFetch(remote, branch) {
        return this.exec(['fetch', '--no-tags', '--quiet', remote, `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`], { allowFailure: true });
    }
    async resetHard(ref) {
        await this.exec(['reset', '--hard', '--quiet', ref]);
    }
    /** Moves (or creates) `branch` to the current HEAD and checks it out, keeping the work tree as it is. */
    async checkoutNewBranch(branch) {
        await this.exec(['checkout', '--quiet', '-B', branch]);
    }
    async checkout(ref) {
        await this.exec(['checkout', '--quiet', ref, '--']);
    }
    /** `git status --porcelain` entries: `XY path` per file (renames give the new path). */
    async status() {
        const { stdout } = await this.exec(['status', '--porcelain=v1', '-z', '--untracked-files=all']);
        const entries = [];
        const parts = stdout.split('\0');
        for (let i = 0; i < parts.length; i++) {
            const entry = parts[i] ?? '';
            if (entry.length < 4)
                continue;
            const code = entry.slice(0, 2);
            entries.push({ code, path: entry.slice(3) });
            if (code.includes('R') || code.includes('C'))
                i++; // the next part is the rename's source path
        }
        return entries;
    }
    async add(paths) {
        if (paths.length === 0)
            return;
        // Literal: a path like `apps/[x]/values.yaml` must not act as a glob that also stages `apps/x/values.yaml`.
        await this.exec(['--literal-pathspecs', 'add', '--', ...paths]);
    }
    /** True when the index differs from HEAD (something would be committed). */
    async hasStagedChanges() {
        // No external diff program or textconv filter from the config: only the exit code matters.
        const args = ['diff', '--cached', '--quiet', '--no-ext-diff', '--no-textconv'];
        const result = await this.exec(args, { allowFailure: true });
        if (result.exitCode > 1)
            throw new GitCommandError(args, result);
        return result.exitCode === 1;
    }
    /**
     * Commits the index with `message` exactly as given (no comment stripping, no editor), author and committer
     * both `identity`. Returns the new commit's sha.
     */
    async commit(message, identity) {
        await this.exec([
            '-c',
            `user.name=${identity.name}`,
            '-c',
            `user.email=${identity.email}`,
            'commit',
            '--quiet',
            '--no-verify',
            '--no-edit',
            '--cleanup=verbatim',
            '--file=-',
        ], { input: message });
        return this.headSha();
    }
    /** Adds `Key: value` trailers to `message` the way git parses them (joins an existing trailer block). */
    async addTrailers(message, trailers) {
        const entries = Object.entries(trailers);
        if (entries.length === 0)
            return message;
        const args = ['interpret-trailers', '--no-divider', '--where=end', '--if-exists=addIfDifferent'];
        for (const [key, value] of entries)
            args.push('--trailer', `${key}: ${value}`);
        return (await this.exec(args, { input: message })).stdout;
    }
    /** Pushes `source` to `refs/heads/<branch>` of `remote`; `force` only where the caller owns the branch. */
    tryPush(remote, source, branch, options = {}) {
        const args = ['push'];
        if (options.force)
            args.push('--force');
        args.push(remote, `${source}:refs/heads/${branch}`);
        return this.exec(args, { allowFailure: true });
    }
    /** The sha `refs/heads/<branch>` has on `remote`, or undefined when the branch does not exist there. */
    async tryRemoteBranchSha(remote, branch) {
        const result = await this.exec(['ls-remote', '--heads', remote, `refs/heads/${branch}`], { allowFailure: true });
        const line = result.stdout.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
        return { ...result, sha: line?.split('\t')[0] };
    }
}

;// CONCATENATED MODULE: ./dispatch-action/src/context.ts
/** What the runner tells a step about its run: GITHUB_* variables, the event file, and the checkout's HEAD. */



function readRunContext(env) {
    return {
        repository: env.GITHUB_REPOSITORY ?? '',
        sha: env.GITHUB_SHA ?? '',
        runId: env.GITHUB_RUN_ID ?? '',
        serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
        apiUrl: env.GITHUB_API_URL ?? '',
        actor: env.GITHUB_ACTOR ?? '',
        refName: env.GITHUB_REF_NAME ?? '',
        workspace: env.GITHUB_WORKSPACE || process.cwd(),
        eventPath: env.GITHUB_EVENT_PATH ?? '',
    };
}
function sourceOf(context, dispatchId) {
    return {
        repository: context.repository,
        sha: context.sha,
        run_id: context.runId,
        run_url: context.repository && context.runId
            ? `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}`
            : '',
        actor: context.actor,
        ...(dispatchId ? { dispatch_id: dispatchId } : {}),
    };
}
/**
 * The head commit's full message: from the push event (exact text GitHub recorded), else `git log -1 --format=%B`
 * in the workspace, without the trailing newlines git stores and prints (GitHub's event has none either).
 * Undefined when neither is available.
 */
function headCommitMessage(context) {
    if (context.eventPath) {
        try {
            const event = JSON.parse((0,external_node_fs_namespaceObject.readFileSync)(context.eventPath, 'utf8'));
            if (typeof event.head_commit?.message === 'string')
                return event.head_commit.message;
        }
        catch {
            // Not a push event file, or unreadable: fall back to git.
        }
    }
    try {
        // No hooks, no fsmonitor, no signature check program, and no INPUT_* (the token) in git's environment.
        const out = (0,external_node_child_process_namespaceObject.execFileSync)('git', [...SAFE_GIT_CONFIG, '-c', 'log.showSignature=false', 'log', '-1', '--format=%B'], {
            cwd: context.workspace,
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
            env: { ...gitEnvironment(process.env), GIT_TERMINAL_PROMPT: '0' },
        });
        return out.replace(/\n+$/, '');
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./core/oci.ts
/** Shapes of the values that end up in deployment files; shared by sender and receiver. */
const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const OCI_DIGEST = /^sha256:[0-9a-f]{64}$/;
function isOciTag(value) {
    return OCI_TAG.test(value);
}
function isOciDigest(value) {
    return OCI_DIGEST.test(value);
}
/** True when `value` has a newline or another control character (anything below U+0020, and U+007F). */
function hasControlCharacter(value) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: that is exactly what is looked for
    return /[\u0000-\u001f\u007f]/.test(value);
}
/**
 * Characters no value written into a file may hold: C0 and C1 controls (U+0085 NEL among them), the Unicode line
 * and paragraph separators (a YAML 1.1 reader, as Helm and kustomize use, breaks lines at U+0085, U+2028 and
 * U+2029, so such a value could add keys), bidirectional controls (text that reads differently from what it is),
 * and U+FEFF (a byte order mark in the middle of a file).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: that is exactly what is looked for
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;
/** `JSON.stringify(value)` with the characters above that JSON leaves raw shown as `\uXXXX`, so a log shows them. */
function quoteVisibly(value) {
    return JSON.stringify(value).replace(new RegExp(UNSAFE.source, 'gu'), (c) => `\\u${c.codePointAt(0).toString(16).padStart(4, '0')}`);
}
/** The first character of `value` that may not be written into a file, as `U+XXXX`, or undefined. */
function unsafeCharacter(value) {
    const m = UNSAFE.exec(value);
    return m ? `U+${m[0].codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

;// CONCATENATED MODULE: ./core/payload/validate.ts


/** Shows a user value in a message: quoted, control characters escaped, long values cut. */
function show(value, max = 80) {
    const cut = [...value].length > max ? `${[...value].slice(0, max).join('')}…` : value;
    return quoteVisibly(cut);
}
/** GitHub owner and repository names: letters, digits, `-`, `_`, `.`; owners never start with `-`. */
const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;
function checkRepository(value, input, problems) {
    if (!REPOSITORY.test(value) || value.endsWith('/.') || value.endsWith('/..')) {
        problems.add({
            code: 'input/repository',
            input,
            message: `Input '${input}' is ${show(value)}; expected owner/repo, e.g. myorg/myapp-gitops`,
        });
    }
}
function checkEventType(value, input, problems) {
    const chars = [...value].length;
    if (chars < 1 || chars > LIMITS.maxEventTypeChars || hasControlCharacter(value)) {
        problems.add({
            code: 'input/event-type',
            input,
            message: `Input '${input}' is ${show(value)} (${chars} characters); expected 1 to ${LIMITS.maxEventTypeChars} characters without control characters, e.g. update-gitops-repo`,
        });
    }
}
function checkImageTag(value, input, problems) {
    if (!isOciTag(value)) {
        problems.add({
            code: 'input/image-tag',
            input,
            message: `Input '${input}' is ${show(value)}; expected an OCI image tag: 1 to 128 of A-Z a-z 0-9 _ . -, not starting with . or -, e.g. 1.4.2-dev`,
        });
    }
}
function checkDigest(value, input, problems) {
    if (!isOciDigest(value)) {
        problems.add({
            code: 'input/digest',
            input,
            message: `Input '${input}' is ${show(value)}; expected sha256: followed by 64 lower-case hex digits`,
        });
    }
}
/**
 * An image name without tag or digest (those travel in their own keys): optional registry host[:port], then
 * lower-case path components as the OCI distribution spec allows them.
 */
const IMAGE = /^(?:[A-Za-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
function checkImage(value, input, problems) {
    if (value.length > 255 || !IMAGE.test(value)) {
        problems.add({
            code: 'input/image',
            input,
            message: `Input '${input}' is ${show(value)}; expected an image name without tag or digest (those go in 'image-tag' and 'digest'), e.g. ghcr.io/myorg/myapp`,
        });
    }
}
/** Parses `client-payload`; it must be a JSON object (its keys become top-level keys of client_payload). */
function parseClientPayload(text, input, problems) {
    if (text.trim() === '')
        return {};
    let parsed;
    try {
        parsed = JSON.parse(text);
    }
    catch (error) {
        problems.add({
            code: 'input/client-payload-json',
            input,
            message: `Input '${input}' is not valid JSON (${error instanceof Error ? error.message : String(error)}): ${show(text)}; expected a JSON object, e.g. {"environment": "dev"}`,
        });
        return undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        problems.add({
            code: 'input/client-payload-type',
            input,
            message: `Input '${input}' is ${show(text)}, a JSON ${Array.isArray(parsed) ? 'array' : parsed === null ? 'null' : typeof parsed}; expected a JSON object, e.g. {"environment": "dev"}`,
        });
        return undefined;
    }
    return parsed;
}
/**
 * Finds every string (keys included) in a JSON value that holds a lone UTF-16 surrogate; returns JSON-pointer-like
 * paths. JSON.stringify escapes them (so they would survive JSON), but they have no UTF-8 form: GitHub stores
 * payloads as UTF-8 and the receiver writes files as UTF-8, so such a value could never arrive as sent. They are
 * rejected rather than silently replaced by U+FFFD.
 */
function pathsWithLoneSurrogates(value, path = '') {
    if (typeof value === 'string')
        return value.isWellFormed() ? [] : [path || '/'];
    if (Array.isArray(value))
        return value.flatMap((item, i) => pathsWithLoneSurrogates(item, `${path}/${i}`));
    if (typeof value === 'object' && value !== null) {
        return Object.entries(value).flatMap(([key, item]) => [
            ...(key.isWellFormed() ? [] : [`${path}/${key}`]),
            ...pathsWithLoneSurrogates(item, `${path}/${key}`),
        ]);
    }
    return [];
}

;// CONCATENATED MODULE: ./action-runtime/inputs.ts
/**
 * The one input layer of both actions. Composite steps get no INPUT_* variables by themselves: each action.yml maps
 * every input through `env:` as INPUT_<NAME> (upper case, `-` -> `_`), and both bundles read them here.
 *
 * One shape for every complaint: "Input 'NAME' is "VALUE"; expected FORM", and one code per kind of input
 * (`input/boolean`, `input/integer`, `input/choice`, `input/required`, `input/url`), so a typo in a boolean reads
 * the same in both actions. Values are trimmed, except free text that travels byte for byte (`raw`).
 */



/** The value of input `name` (`rules-file` -> INPUT_RULES_FILE), trimmed unless `trim: false`. */
function getInput(env, name, options = {}) {
    const value = env[`INPUT_${name.replace(/[- ]/g, '_').toUpperCase()}`] ?? '';
    return options.trim === false ? value : value.trim();
}
/** Exactly what @actions/core's getBooleanInput accepts (YAML 1.2 core schema booleans). */
const TRUE_VALUES = ['true', 'True', 'TRUE'];
const FALSE_VALUES = ['false', 'False', 'FALSE'];
/**
 * A boolean input: true/True/TRUE or false/False/FALSE (after trimming), as getBooleanInput reads it; empty means
 * `fallback` (the default in action.yml, so the bundle also runs alone). Anything else is a problem.
 */
function parseBoolean(text, fallback) {
    const value = text.trim();
    if (value === '')
        return fallback;
    if (TRUE_VALUES.includes(value))
        return true;
    if (FALSE_VALUES.includes(value))
        return false;
    return undefined;
}
/** Reads inputs from `env`, collecting every problem in `problems` (thrown together by the caller). */
class InputReader {
    env;
    problems;
    constructor(env, problems = new ProblemList()) {
        this.env = env;
        this.problems = problems;
    }
    /** Trimmed text; '' when not set. */
    text(name) {
        return getInput(this.env, name);
    }
    /** Free text that travels byte for byte (a commit message, rules YAML whose line numbers matter). */
    raw(name) {
        return getInput(this.env, name, { trim: false });
    }
    /** Trimmed text that must not be empty; `example` shows a working line of a workflow. */
    required(name, example) {
        const value = this.text(name);
        if (value === '') {
            this.problems.add({
                code: 'input/required',
                input: name,
                message: `Input '${name}' is required; e.g. ${example}`,
            });
        }
        return value;
    }
    boolean(name, fallback) {
        const text = this.text(name);
        const value = parseBoolean(text, fallback);
        if (value !== undefined)
            return value;
        this.problems.add({
            code: 'input/boolean',
            input: name,
            message: `Input '${name}' is ${show(text)}; expected true or false (True, TRUE, False and FALSE also work)`,
        });
        return fallback;
    }
    /** A whole number in [min, max]; empty means `fallback`. Returns NaN when the value is refused. */
    integer(name, options) {
        const text = this.text(name);
        if (text === '')
            return options.fallback;
        const value = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
        if (value >= options.min && value <= options.max)
            return value;
        this.problems.add({
            code: 'input/integer',
            input: name,
            message: `Input '${name}' is ${show(text)}; expected ${options.unit ?? 'a whole number'} from ${options.min} to ${options.max}, e.g. ${options.fallback}`,
        });
        return Number.NaN;
    }
    /** One of `choices`; empty means `fallback`. Returns undefined when the value is refused. */
    choice(name, choices, options) {
        const text = this.text(name);
        if (text === '')
            return options.fallback;
        const value = choices.find((c) => c === text);
        if (value !== undefined)
            return value;
        this.problems.add({
            code: 'input/choice',
            input: name,
            message: `Input '${name}' is ${show(text)}; expected ${options.expected ?? `one of: ${choices.join(', ')}`}`,
        });
        return undefined;
    }
    /** Items separated by commas or newlines, each trimmed, empty ones left out. */
    list(name) {
        return parseList(this.raw(name));
    }
    /**
     * An http(s) URL without credentials, with trailing slashes removed; '' when not set. Returns '' when refused.
     * `text` is given when the value comes with a fallback (e.g. the runner's GITHUB_API_URL).
     */
    url(name, options, text = this.text(name)) {
        if (text === '')
            return '';
        try {
            const url = new URL(text);
            if (url.protocol !== 'https:' && url.protocol !== 'http:')
                throw new Error('not http(s)');
            if (url.username || url.password)
                throw new Error('credentials');
            if (!options.allowQuery && (url.search || url.hash))
                throw new Error('query or fragment');
            return text.replace(/\/+$/, '');
        }
        catch {
            this.problems.add({
                code: 'input/url',
                input: name,
                message: `Input '${name}' is ${show(text)}; expected ${options.expected ?? `an http(s) URL without credentials${options.allowQuery ? '' : ', query or fragment'}`}, e.g. ${options.example}`,
            });
            return '';
        }
    }
}
function parseList(text) {
    return text
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
}

;// CONCATENATED MODULE: ./core/payload/build.ts


/** Where each reserved key comes from, to name the right input in problems. */
const INPUT_OF = {
    docker_image_tag: 'image-tag',
    git_branch: 'git-branch',
    commit_message: 'commit-message',
    image: 'image',
    digest: 'digest',
};
/**
 * Reserved keys first (in contract order), then the user's keys in their order. A user key that names a reserved
 * key is a problem: silently letting either side win would send a tag or branch the user did not mean.
 */
function buildClientPayload(fields, userKeys, problems, userInput = 'client-payload') {
    const entries = [['docker_image_tag', fields.dockerImageTag]];
    if (fields.gitBranch !== undefined)
        entries.push(['git_branch', fields.gitBranch]);
    if (fields.commitMessage !== undefined)
        entries.push(['commit_message', fields.commitMessage]);
    if (fields.image)
        entries.push(['image', fields.image]);
    if (fields.digest)
        entries.push(['digest', fields.digest]);
    if (fields.source)
        entries.push(['source', fields.source]);
    const clashes = Object.keys(userKeys).filter((key) => RESERVED_KEYS.includes(key));
    for (const key of clashes) {
        const from = INPUT_OF[key];
        problems.add({
            code: 'payload/reserved-key',
            input: userInput,
            message: `Input '${userInput}' sets key ${show(key)}, which the action writes itself${from ? ` (from input '${from}')` : ''}; remove it from '${userInput}'${from ? ` and use '${from}'` : ''}. Reserved keys: ${RESERVED_KEYS.join(', ')}`,
        });
    }
    for (const [key, value] of Object.entries(userKeys)) {
        if (!clashes.includes(key))
            entries.push([key, value]);
    }
    for (const [key, value] of entries) {
        const input = INPUT_OF[key] ?? userInput;
        for (const path of pathsWithLoneSurrogates(value, `/${key}`)) {
            problems.add({
                code: 'payload/lone-surrogate',
                input,
                message: `Input '${input}' has an unpaired UTF-16 surrogate at client_payload${path}; it has no UTF-8 form and would not arrive as sent. Expected well-formed Unicode text`,
            });
        }
        if (pathsWithLoneSurrogates(key).length > 0 && input === userInput) {
            problems.add({
                code: 'payload/lone-surrogate',
                input,
                message: `Input '${input}' has a key with an unpaired UTF-16 surrogate (${show(key)}); expected well-formed Unicode text`,
            });
        }
    }
    // Object.fromEntries defines own properties, so a user key "__proto__" stays an ordinary key.
    return Object.fromEntries(entries);
}

;// CONCATENATED MODULE: ./core/payload/prepare.ts



/** Git refs longer than this are refused by GitHub anyway; reserved in the size check while the ref is unknown. */
const REF_RESERVE = 'x'.repeat(255);
function prepareDispatch(spec, problems, logger) {
    const before = problems.items.length;
    let payload = buildClientPayload(spec.fields, spec.userKeys, problems);
    const workflowMode = spec.mode === 'workflow_dispatch';
    const maxKeys = workflowMode ? LIMITS.maxWorkflowInputs : LIMITS.maxTopLevelKeys;
    const keys = Object.keys(payload);
    if (keys.length > maxKeys) {
        const userCount = Object.keys(spec.userKeys).length;
        problems.add({
            code: 'payload/too-many-keys',
            input: 'client-payload',
            message: `Input 'client-payload' brings the ${workflowMode ? 'workflow inputs' : 'client_payload'} to ${keys.length} top-level keys (${keys.join(', ')}); GitHub accepts at most ${maxKeys}${workflowMode ? ' workflow_dispatch inputs' : ''}. The action uses ${keys.length - userCount}, so keep 'client-payload' to at most ${Math.max(0, maxKeys - (keys.length - userCount))} keys, e.g. by nesting them in one object`,
        });
    }
    const serialize = (p, ref) => workflowMode ? workflowDispatchBody(ref || REF_RESERVE, p) : repositoryDispatchBody(spec.eventType, p);
    const full = serialize(payload, spec.ref);
    const fullBytes = utf8Bytes(full);
    if (fullBytes > LIMITS.maxBodyBytes) {
        const shortened = shortenCommitMessage(payload, (p) => serialize(p, spec.ref));
        if (shortened) {
            logger.warning(`Input 'commit-message' was shortened by ${shortened.removedCodePoints} characters so the request body fits GitHub's 64 KB limit (${fullBytes} -> ${utf8Bytes(shortened.body)} bytes, limit ${LIMITS.maxBodyBytes})`);
            payload = shortened.payload;
        }
        else {
            problems.add({
                code: 'payload/too-large',
                input: 'client-payload',
                message: `The request body is ${fullBytes} bytes (UTF-8) even with 'commit-message' shortened to nothing; GitHub requires less than 64 KB (at most ${LIMITS.maxBodyBytes} bytes). Make 'client-payload' smaller`,
            });
        }
    }
    if (problems.items.length > before)
        return undefined;
    const [owner = '', repo = ''] = spec.repository.split('/');
    const finalPayload = payload;
    return {
        mode: spec.mode,
        owner,
        repo,
        eventType: spec.eventType,
        workflow: spec.workflow,
        ref: spec.ref || undefined,
        payload: finalPayload,
        body: (ref) => workflowMode
            ? workflowDispatchBody(ref ?? spec.ref ?? '', finalPayload)
            : repositoryDispatchBody(spec.eventType, finalPayload),
    };
}

;// CONCATENATED MODULE: ./dispatch-action/src/inputs.ts
/**
 * Reads, defaults and validates every input in one place. Composite actions get no INPUT_* variables by
 * themselves: action.yml maps each input through `env:` as INPUT_<NAME> (upper case, `-` -> `_`).
 */





const DEFAULT_WAIT_TIMEOUT_SECONDS = 600;
/** A GitHub-hosted job may run 6 hours; waiting longer than that for another run is never meant. */
const MAX_WAIT_TIMEOUT_SECONDS = 6 * 60 * 60;

function readInputs(env, context, logger) {
    const read = new InputReader(env);
    const problems = read.problems;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Actions expression to write in the workflow
    const token = read.required('token', 'token: ${{ secrets.GITOPS_DISPATCH_TOKEN }}');
    const repository = read.required('repository', 'repository: myorg/myapp-gitops');
    if (repository)
        checkRepository(repository, 'repository', problems);
    const eventType = read.text('event-type') || DEFAULT_EVENT_TYPE;
    checkEventType(eventType, 'event-type', problems);
    const imageTag = read.required('image-tag', 'image-tag: 1.4.2-dev');
    if (imageTag)
        checkImageTag(imageTag, 'image-tag', problems);
    const image = read.text('image');
    if (image)
        checkImage(image, 'image', problems);
    const digest = read.text('digest');
    if (digest)
        checkDigest(digest, 'digest', problems);
    const gitBranch = read.text('git-branch') || context.refName;
    // Not trimmed: the commit message travels byte for byte, trailing newlines included.
    const commitMessageInput = read.raw('commit-message');
    const commitMessage = commitMessageInput !== '' ? commitMessageInput : (headCommitMessage(context) ?? '');
    const userKeys = parseClientPayload(read.text('client-payload'), 'client-payload', problems) ?? {};
    const mode = read.choice('mode', DISPATCH_MODES, { fallback: 'repository_dispatch' });
    const workflow = read.text('workflow');
    const ref = read.text('ref');
    if (mode === 'workflow_dispatch') {
        if (workflow === '') {
            problems.add({
                code: 'input/workflow-required',
                input: 'workflow',
                message: `Input 'workflow' is required when mode is workflow_dispatch; expected the workflow file name in the target's .github/workflows, e.g. gitops-receive.yml`,
            });
        }
        else if (!/^(?:[A-Za-z0-9._-]+\.ya?ml|[0-9]+)$/.test(workflow)) {
            problems.add({
                code: 'input/workflow',
                input: 'workflow',
                message: `Input 'workflow' is ${show(workflow)}; expected a workflow file name ending in .yml or .yaml (no directory), e.g. gitops-receive.yml, or a numeric workflow id`,
            });
        }
    }
    else if (mode === 'repository_dispatch') {
        for (const [name, value] of [
            ['workflow', workflow],
            ['ref', ref],
        ]) {
            if (value !== '') {
                problems.add({
                    code: 'input/mode-mismatch',
                    input: name,
                    message: `Input '${name}' is ${show(value)}, but it is only used when mode is workflow_dispatch (mode is repository_dispatch); remove it or set mode: workflow_dispatch`,
                });
            }
        }
    }
    if (ref !== '' && (ref.length > 255 || hasControlCharacter(ref) || /\s/.test(ref))) {
        problems.add({
            code: 'input/ref',
            input: 'ref',
            message: `Input 'ref' is ${show(ref)}; expected a branch or tag name without spaces or control characters, e.g. main`,
        });
    }
    const waitInput = read.boolean('wait', false);
    const deployment = readDeploymentInputs(read);
    // A deployment's final state comes from the run, so asking for one means waiting for it.
    const wait = waitInput || deployment !== undefined;
    const waitTimeoutSeconds = read.integer('wait-timeout', {
        min: 1,
        max: MAX_WAIT_TIMEOUT_SECONDS,
        fallback: DEFAULT_WAIT_TIMEOUT_SECONDS,
        unit: 'whole seconds',
    });
    const apiUrl = read.url('api-url', {
        example: 'https://api.github.com or https://ghe.example.com/api/v3',
        expected: 'the REST API base URL (http or https, without credentials, query or fragment)',
    }, read.text('api-url') || context.apiUrl || 'https://api.github.com');
    const prepared = prepareDispatch({
        mode: mode ?? 'repository_dispatch',
        repository,
        eventType,
        workflow: workflow || undefined,
        ref: ref || undefined,
        fields: {
            dockerImageTag: imageTag,
            gitBranch,
            commitMessage,
            image,
            digest,
            source: sourceOf(context, newDispatchId()),
        },
        userKeys,
    }, problems, logger);
    problems.throwIfAny();
    return {
        token,
        apiUrl,
        repository,
        mode: mode,
        eventType,
        imageTag,
        image,
        workflow,
        wait,
        waitTimeoutSeconds,
        prepared: prepared,
        deployment,
    };
}
/** Inputs 'deployment', 'environment', 'environment-url', 'production-environment', 'github-token'. */
function readDeploymentInputs(read) {
    const problems = read.problems;
    const enabled = read.boolean('deployment', false);
    const production = read.boolean('production-environment', false);
    const environment = read.text('environment');
    const environmentUrl = read.text('environment-url');
    if (!enabled) {
        for (const [name, value] of [
            ['environment', environment],
            ['environment-url', environmentUrl],
        ]) {
            if (value !== '') {
                problems.add({
                    code: 'input/deployment-off',
                    input: name,
                    message: `Input '${name}' is ${show(value)}, but it is only used when 'deployment' is true; set deployment: true or remove it`,
                });
            }
        }
        return undefined;
    }
    if (environment === '') {
        problems.add({
            code: 'input/required',
            input: 'environment',
            message: "Input 'environment' is required when 'deployment' is true; e.g. environment: dev",
        });
    }
    else if (environment.length > 255 || hasControlCharacter(environment)) {
        problems.add({
            code: 'input/environment',
            input: 'environment',
            message: `Input 'environment' is ${show(environment)}; expected a GitHub environment name of at most 255 characters without control characters, e.g. dev`,
        });
    }
    read.url('environment-url', { example: 'https://dev.example.com', allowQuery: true });
    const token = read.text('github-token');
    if (token === '') {
        problems.add({
            code: 'input/required',
            input: 'github-token',
            message: 
            // biome-ignore lint/suspicious/noTemplateCurlyInString: the Actions expression to write in the workflow
            "Input 'github-token' is empty but 'deployment' is true; leave it at its default (${{ github.token }}) and give the job 'permissions: deployments: write'",
        });
    }
    return { token, environment, environmentUrl, production };
}

;// CONCATENATED MODULE: ./dispatch-action/src/main.ts
/** Inputs -> core -> outputs. The only place that calls setFailed. */










async function run(env = process.env) {
    // Masked before anything else can print it.
    const rawToken = getInput(env, 'token');
    if (rawToken)
        setSecret(rawToken);
    const rawGitHubToken = getInput(env, 'github-token');
    if (rawGitHubToken)
        setSecret(rawGitHubToken);
    let inputs;
    let result;
    let failure;
    let caught;
    let deployment;
    let conclusion;
    try {
        const context = readRunContext(env);
        inputs = readInputs(env, context, actionsLogger);
        const { sleep, now } = scaledClock(env);
        const client = new GitHubClient({
            request: createRequestFn(inputs.token, inputs.apiUrl),
            logger: actionsLogger,
            sleep,
            limits: requestLimits(env),
        });
        deployment = inputs.deployment
            ? new DeploymentTracker(new GitHubClient({
                // The application repository is on the runner's own GitHub, whatever host the target is on.
                request: createRequestFn(inputs.deployment.token, context.apiUrl || inputs.apiUrl),
                logger: actionsLogger,
                sleep,
                limits: requestLimits(env),
            }), deploymentSpec(inputs, context), actionsLogger)
            : undefined;
        result = await sendDispatch(inputs.prepared, client, actionsLogger, { set: (name, value) => setOutput(name, value) }, {
            wait: inputs.wait,
            waitTimeoutMs: inputs.waitTimeoutSeconds * 1000,
            sleep,
            now,
            onAccepted: async () => deployment?.create(),
            onRun: async (run) => deployment?.started(run.htmlUrl),
            onConclusion: async (value) => {
                conclusion = value;
            },
        });
    }
    catch (error) {
        caught = error;
        failure = errorMessage(error);
    }
    // After the wait, whatever it gave: the conclusion, or none (the run was not found or not followed).
    await deployment?.finish(conclusion, failure?.split('\n')[0]);
    if (inputs)
        await writeSummary(env, inputs, result, failure, deployment);
    if (failure !== undefined)
        presentFailure(caught);
}
function deploymentSpec(inputs, context) {
    const d = inputs.deployment;
    const image = inputs.image ? `${inputs.image}:${inputs.imageTag}` : inputs.imageTag;
    return {
        repository: context.repository,
        sha: context.sha,
        environment: d.environment,
        environmentUrl: d.environmentUrl || undefined,
        production: d.production,
        description: `${image} -> ${inputs.repository}`,
        payload: {
            docker_image_tag: inputs.imageTag,
            image: inputs.image,
            target: inputs.repository,
            dispatch_id: inputs.prepared.payload.source?.dispatch_id ?? '',
        },
    };
}
function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
async function writeSummary(env, inputs, result, failure, deployment) {
    if (!env.GITHUB_STEP_SUMMARY)
        return;
    const event = inputs.mode === 'workflow_dispatch'
        ? `workflow_dispatch of ${inputs.workflow}${result?.ref ? ` on ${result.ref}` : ''}`
        : `repository_dispatch: ${inputs.eventType}`;
    let outcome;
    // The first sentence only: the full explanation is in the log and the error annotation.
    if (failure !== undefined)
        outcome = `❌ failed: ${escapeHtml((failure.split('\n')[0] ?? '').split('. ')[0] ?? '')}`;
    else if (result?.runId !== undefined) {
        const run = result.runUrl
            ? `<a href="${escapeHtml(result.runUrl)}">run ${result.runId}</a>`
            : `run ${result.runId}`;
        outcome = `✅ ${run} started${result.conclusion ? `, concluded ${escapeHtml(result.conclusion)}` : ''}`;
    }
    else
        outcome = '✅ sent';
    if (deployment && inputs.deployment) {
        const last = deployment.states.at(-1);
        outcome += `; deployment to ${escapeHtml(inputs.deployment.environment)}: ${last ? escapeHtml(last) : 'not recorded (see the warnings)'}`;
    }
    try {
        await summary
            .addHeading('GitOps dispatch', 3)
            .addTable([
            [
                { data: 'Target', header: true },
                { data: 'Event', header: true },
                { data: 'Tag', header: true },
                { data: 'Image', header: true },
                { data: 'Result', header: true },
            ],
            [
                escapeHtml(inputs.repository),
                escapeHtml(event),
                `<code>${escapeHtml(inputs.imageTag)}</code>`,
                inputs.image ? escapeHtml(inputs.image) : '—',
                outcome,
            ],
        ])
            .write();
    }
    catch (error) {
        actionsLogger.warning(`Could not write the job summary: ${errorMessage(error)}`);
    }
}

;// CONCATENATED MODULE: ./dispatch-action/src/index.ts
// First: checks the Node.js version before the rest of the bundle is loaded (see action-runtime/startup.ts).


void run();

