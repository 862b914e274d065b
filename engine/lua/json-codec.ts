// Lua source of the JSON codec that converts node state in and results out, inside the VM.
// Doing this in Lua (and passing JSON text over the JS boundary) keeps Lua's integer/float distinction
// exactly (`math.type`), needs no wasmoon proxies, and costs one string copy per direction.
// The chunk returns `encode, decode`; the sandbox keeps them as upvalues user code cannot reach.
// Only raw access (`next`, `rawget`) is used, so user metatables never run during encoding, and all
// library functions are captured as locals so later changes to globals cannot affect the codec.
// Both directions stop at MAX_VALUE_DEPTH levels: a deeper value would overflow the V8 deserializer of
// the host that receives it (and Lua's own stack far deeper still), so it is refused here, clearly.
import { MAX_VALUE_DEPTH } from '../limits.ts';

/**
 * Mapping (TEA §4.5): nil -> null; integer -> integer; float -> number (NaN/inf refused); table whose
 * keys are all positive integers -> array (holes -> null); any other non-empty table -> object with
 * integer/float keys stringified and keys sorted (deterministic output); empty table -> {}.
 * Boolean/table/function keys, functions, userdata, threads, cycles, non-UTF-8 strings -> error
 * "Cannot convert ... to JSON". A table nested deeper than MAX_VALUE_DEPTH raises the TOO_DEEP sentinel
 * (the chunk's third result), so the runner can report it as a limit naming the node.
 */
export const LUA_JSON_CODEC = String.raw`
local type, next, rawget, error, tonumber = type, next, rawget, error, tonumber
local mtype = math.type
local sfind, ssub, sbyte, sgsub, sformat, schar = string.find, string.sub, string.byte, string.gsub, string.format, string.char
local concat, sort = table.concat, table.sort
local ulen, uchar = utf8.len, utf8.char

-- Arrays are refused when they would be mostly holes and huge (e.g. {[2^40] = 1}).
local SPARSE_LIMIT <const> = 1000000
-- Deepest nesting either way (tables inside tables); the sentinel is raised, not a string.
local MAX_DEPTH <const> = ${MAX_VALUE_DEPTH}
local TOO_DEEP = {}

-- Every VM keeps this codec resident, so it is written for a small heap: few functions (each costs
-- a prototype, a closure and its upvalue slots), <const> numbers, cold tables built on first need.

-- The one-letter escapes: the letter after the backslash and, at the same place, the character it
-- stands for (strings, not tables: both directions use them, and only escaped text pays a search).
local ESCAPE_LETTERS <const>, ESCAPED_CHARS <const> = '"\\/bfnrt', '"\\/\b\f\n\r\t'

-- Built on the first string that needs escaping (most states never do). Its '/' entry is never
-- used: the encoder's pattern does not match '/', which JSON.stringify leaves as is too.
local ESCAPES
local function escapes()
  ESCAPES = { ['\127'] = '\\u007f' }
  for i = 0, 31 do ESCAPES[schar(i)] = sformat('\\u%04x', i) end
  for i = 1, #ESCAPE_LETTERS do ESCAPES[ssub(ESCAPED_CHARS, i, i)] = '\\' .. ssub(ESCAPE_LETTERS, i, i) end
  return ESCAPES
end

-- One raiser for both directions (one function less in every VM): a value that cannot be encoded,
-- or, given the byte it was found at, text that cannot be decoded.
local function fail(what, at)
  if at then error('invalid JSON at byte ' .. at .. ': ' .. what, 0) end
  error('Cannot convert ' .. what .. ' to JSON', 0)
end

-- Integers as such; floats as the shortest text that reads back as the same double.
local function number_text(x)
  if mtype(x) == 'integer' then return sformat('%d', x) end
  if x - x ~= 0 then fail('NaN or infinite number (Invalid float value)') end -- NaN or ±inf
  local s = sformat('%.15g', x)
  if tonumber(s) ~= x then s = sformat('%.17g', x) end
  return s
end

-- Appends v's JSON text to buf[n + 1 ...] and returns the new n.
local function encode_value(v, buf, n, seen, depth)
  local tv = type(v)
  if tv == 'string' then
    if not ulen(v) then fail('a string that is not valid UTF-8') end
    if sfind(v, '[%c"\\]') then v = sgsub(v, '[%c"\\]', ESCAPES or escapes()) end
    n = n + 1; buf[n] = '"' .. v .. '"'
    return n
  elseif tv == 'number' then
    n = n + 1; buf[n] = mtype(v) == 'integer' and sformat('%d', v) or number_text(v)
    return n
  elseif tv == 'boolean' then
    n = n + 1; buf[n] = v and 'true' or 'false'
    return n
  elseif tv == 'nil' then
    n = n + 1; buf[n] = 'null'
    return n
  elseif tv ~= 'table' then
    fail(tv)
  end
  if depth >= MAX_DEPTH then error(TOO_DEEP, 0) end
  if seen[v] then fail('a table that contains itself (cycle)') end
  seen[v] = true
  local count, max_index, is_array = 0, 0, true
  for k in next, v do
    count = count + 1
    if is_array then
      if mtype(k) == 'integer' and k > 0 then
        if k > max_index then max_index = k end
      else
        is_array = false
      end
    end
  end
  if count == 0 then
    n = n + 1; buf[n] = '{}'
  elseif is_array then
    if max_index > SPARSE_LIMIT and max_index > 2 * count then
      fail('a sparse array (highest index ' .. max_index .. ' but only ' .. count .. ' entries)')
    end
    n = n + 1; buf[n] = '['
    for i = 1, max_index do
      if i > 1 then n = n + 1; buf[n] = ',' end
      n = encode_value(rawget(v, i), buf, n, seen, depth + 1)
    end
    n = n + 1; buf[n] = ']'
  else
    local keys, values, nkeys = {}, {}, 0
    for k, item in next, v do
      local kt, key = type(k), k
      if kt == 'number' then
        key = number_text(k)
      elseif kt ~= 'string' then
        fail('a table with a ' .. kt .. ' key')
      end
      if values[key] ~= nil then fail('a table with both a string and a number key "' .. key .. '"') end
      nkeys = nkeys + 1; keys[nkeys] = key; values[key] = item
    end
    sort(keys)
    n = n + 1; buf[n] = '{'
    for i = 1, nkeys do
      if i > 1 then n = n + 1; buf[n] = ',' end
      local key = keys[i]
      local text = key -- the string branch above, inline: keys are always strings
      if not ulen(text) then fail('a string that is not valid UTF-8') end
      if sfind(text, '[%c"\\]') then text = sgsub(text, '[%c"\\]', ESCAPES or escapes()) end
      n = n + 1; buf[n] = '"' .. text .. '":'
      n = encode_value(values[key], buf, n, seen, depth + 1)
    end
    n = n + 1; buf[n] = '}'
  end
  seen[v] = nil
  return n
end

local function encode(v)
  local buf = {}
  local n = encode_value(v, buf, 0, {}, 0)
  return concat(buf, '', 1, n)
end

-- Decoder. Input comes from JSON.stringify, but malformed text still fails with a position.

-- JSON.stringify emits no whitespace, so the common case is a single byte test.
local function skip(s, i)
  local c = sbyte(s, i)
  if c ~= 32 and c ~= 9 and c ~= 10 and c ~= 13 then return i end
  local _, e = sfind(s, '^[ \t\r\n]*', i)
  return e + 1
end

-- Returns the value at byte i (leading whitespace allowed) and the byte after it. Objects, arrays
-- and strings are handled here rather than in helpers: one prototype and closure instead of four.
local function decode_value(s, i, depth)
  i = skip(s, i)
  local c = sbyte(s, i)
  if c == 34 then
    local j = i + 1
    local parts, np = nil, 0
    while true do
      local k = sfind(s, '["\\]', j)
      if not k then fail('unterminated string', i) end
      if sbyte(s, k) == 34 then
        if not parts then return ssub(s, j, k - 1), k + 1 end
        np = np + 1; parts[np] = ssub(s, j, k - 1)
        return concat(parts, '', 1, np), k + 1
      end
      parts = parts or {}
      np = np + 1; parts[np] = ssub(s, j, k - 1)
      local e = sbyte(s, k + 1)
      if e == 117 then
        local cp = tonumber(ssub(s, k + 2, k + 5), 16)
        if not cp then fail('bad \\u escape', k) end
        j = k + 6
        if cp >= 0xD800 and cp <= 0xDBFF and ssub(s, j, j + 1) == '\\u' then
          local low = tonumber(ssub(s, j + 2, j + 5), 16)
          if low and low >= 0xDC00 and low <= 0xDFFF then
            cp = 0x10000 + (cp - 0xD800) * 0x400 + (low - 0xDC00)
            j = j + 6
          end
        end
        np = np + 1; parts[np] = uchar(cp)
      else
        local at = e and sfind(ESCAPE_LETTERS, schar(e), 1, true)
        if not at then fail('bad escape', k) end
        np = np + 1; parts[np] = ssub(ESCAPED_CHARS, at, at)
        j = k + 2
      end
    end
  end
  if c == 123 or c == 91 then
    if depth >= MAX_DEPTH then fail('nested deeper than ' .. MAX_DEPTH .. ' levels', i) end
    local t, n = {}, 0
    i = skip(s, i + 1)
    local close = c + 2 -- '}' is '{' + 2, ']' is '[' + 2
    if sbyte(s, i) == close then return t, i + 1 end
    while true do
      local v
      if c == 123 then
        if sbyte(s, i) ~= 34 then fail('string expected', i) end
        -- keys rarely hold escapes: cut them out directly, the rest go through the string branch
        local key
        local e = sfind(s, '["\\]', i + 1)
        if e and sbyte(s, e) == 34 then
          key, i = ssub(s, i + 1, e - 1), e + 1
        else
          key, i = decode_value(s, i, depth)
        end
        i = skip(s, i)
        if sbyte(s, i) ~= 58 then fail("':' expected", i) end
        v, i = decode_value(s, i + 1, depth + 1)
        t[key] = v
      else
        v, i = decode_value(s, i, depth + 1)
        n = n + 1
        t[n] = v
      end
      i = skip(s, i)
      local d = sbyte(s, i)
      if d == close then return t, i + 1 end
      if d ~= 44 then fail(c == 123 and "',' or '}' expected" or "',' or ']' expected", i) end
      i = c == 123 and skip(s, i + 1) or i + 1
    end
  end
  if c == 116 and ssub(s, i, i + 3) == 'true' then return true, i + 4 end
  if c == 102 and ssub(s, i, i + 4) == 'false' then return false, i + 5 end
  if c == 110 and ssub(s, i, i + 3) == 'null' then return nil, i + 4 end
  local e = sfind(s, '[^%d%.eE+-]', i) or #s + 1
  -- tonumber keeps "12" an integer and "1.5"/"1e3" floats; integers too big for int64 become floats.
  local num = tonumber(ssub(s, i, e - 1))
  if not num then fail('unexpected character', i) end
  return num, e
end

local function decode(s)
  local v, i = decode_value(s, 1, 0)
  i = skip(s, i)
  if i <= #s then fail('trailing characters', i) end
  return v
end

return encode, decode, TOO_DEEP
`;
