// Lua source that turns a fresh state (base, coroutine, table, string, utf8, math, os opened; io,
// package/require and debug never opened) into the sandbox node code runs in, and returns the runner.
// Stricter than TEA (tea-format.md §4.3), by design:
// - gone: io, require, package, debug, dofile, loadfile, string.dump, and os.* except clock/time/date/difftime;
// - load: text chunks only (mode forced to 't'; binary chunks refused even when 'b'/'bt' is asked for);
// - collectgarbage: "count" is real; "collect"/"step" (and no argument) are accepted no-ops returning 0,
//   "isrunning" returns true; every other option raises an error (no stopping or retuning the GC);
// - setmetatable refuses metatables with __gc (finalizers run with hooks off: uninterruptible);
// - the string metatable is locked (`getmetatable("")` returns false), so code cannot repoint string
//   methods; setmetatable(_G, ...) only affects this VM's own globals (our code holds everything it
//   needs as upvalues);
// - pcall, xpcall, coroutine.resume/wrap/close and load re-raise "execution timeout" once the deadline has
//   passed, so a timeout cannot be swallowed (see vm.ts for the instruction hook).
// The JS capabilities (print sink, sleep, deadline check) and the JSON codec are upvalues only.
import { LUA_JSON_CODEC } from './json-codec.ts';

/** Globals a sandboxed VM must not have (asserted by the tests). */
export const REMOVED_GLOBALS = ['io', 'require', 'package', 'debug', 'dofile', 'loadfile', 'js'] as const;

/** The os functions that stay. */
export const ALLOWED_OS_FUNCTIONS = ['clock', 'time', 'date', 'difftime'] as const;

const SANDBOX_BODY = String.raw`
local emit, sleep_impl, timed_out, fetch_state, create_hooked = ...
local type, tostring, select, error, getmetatable, rawget = type, tostring, select, error, getmetatable, rawget
local raw_pcall, raw_xpcall, raw_load, raw_gc = pcall, xpcall, load, collectgarbage
local raw_setmetatable = setmetatable
local co_resume = coroutine.resume
local concat = table.concat
local TIMEOUT <const> = 'execution timeout' -- <const>: a constant in each function, not an upvalue

-- Removed capabilities (io, package, require, debug were never opened).
dofile, loadfile = nil, nil
string.dump = nil
do
  local os_lib = os
  os = { clock = os_lib.clock, time = os_lib.time, date = os_lib.date, difftime = os_lib.difftime }
end
getmetatable('').__metatable = false

-- Lua runs __gc finalizers with hooks off, so a looping finalizer could never be timed out.
-- An object is only finalized if its metatable has __gc when setmetatable is called (raw lookup).
setmetatable = function(t, mt)
  if type(t) ~= 'table' then
    error("bad argument #1 to 'setmetatable' (table expected, got " .. type(t) .. ')', 2)
  end
  local tm = type(mt)
  if tm ~= 'table' and tm ~= 'nil' then
    error("bad argument #2 to 'setmetatable' (nil or table expected)", 2)
  end
  if tm == 'table' and rawget(mt, '__gc') ~= nil then
    error('__gc metamethods are not allowed in the sandbox', 2)
  end
  return raw_setmetatable(t, mt)
end

-- A timeout raised by the hook must not be swallowed: every protected call re-raises it.
local function reraise_timeout(...)
  if timed_out() then error(TIMEOUT, 0) end
  return ...
end
pcall = function(f, ...) return reraise_timeout(raw_pcall(f, ...)) end
-- Lua calls a message handler from inside the hook that raised the timeout, where hooks are off:
-- the user's handler must not run then, or a looping handler could never be stopped.
xpcall = function(f, handler, ...)
  if type(handler) ~= 'function' then
    error("bad argument #2 to 'xpcall' (function expected, got " .. type(handler) .. ')', 2)
  end
  local function guarded(e)
    if timed_out() then return e end
    return handler(e)
  end
  return reraise_timeout(raw_xpcall(f, guarded, ...))
end

-- A coroutine killed by the hook keeps hooks switched off (Lua leaves allowhook = 0 on that thread),
-- so its pending <close> handlers must never run: coroutine.wrap is rebuilt on resume (the C version
-- closes the dead thread itself) and coroutine.close refuses such threads. A resume counts its thread
-- as in flight before it starts and uncounts it once it returns normally: once the deadline has
-- passed, the main thread traps on its very next instruction, so nothing after a timed-out resume
-- runs. A dead thread still counted is one a timeout killed.
-- coroutine.create is the host's (vm.ts createThread): each new coroutine gets the instruction-count
-- hook of its own, because the hook the watchdog arms on the main thread does not reach it.
local co_create, co_close, co_status = create_hooked, coroutine.close, coroutine.status
coroutine.create = co_create
local resuming = raw_setmetatable({}, { __mode = 'k' })

local function after_resume(co, ...)
  if timed_out() then error(TIMEOUT, 0) end
  local n = resuming[co]
  if n then resuming[co] = n > 1 and n - 1 or nil end
  return ...
end
local function resume(co, ...)
  if type(co) == 'thread' then resuming[co] = (resuming[co] or 0) + 1 end
  return after_resume(co, co_resume(co, ...))
end
coroutine.resume = resume

local function wrap_finish(co, ok, ...)
  if ok then return ... end
  local err = ...
  local closed, close_err = co_close(co)
  if not closed then err = close_err end
  -- like the C coroutine.wrap: string errors get the caller's position
  if type(err) == 'string' then error(err, 2) end
  error(err, 0)
end
coroutine.wrap = function(f)
  local co = co_create(f)
  return function(...) return wrap_finish(co, resume(co, ...)) end
end

coroutine.close = function(co)
  if resuming[co] and co_status(co) == 'dead' then return false, TIMEOUT end
  return reraise_timeout(co_close(co))
end

load = function(chunk, chunkname, _mode, ...)
  if select('#', ...) > 0 then return reraise_timeout(raw_load(chunk, chunkname, 't', (...))) end
  return reraise_timeout(raw_load(chunk, chunkname, 't'))
end

collectgarbage = function(option, ...)
  if option == 'count' then return raw_gc('count') end
  if option == nil or option == 'collect' or option == 'step' then return 0 end
  if option == 'isrunning' then return true end
  error("collectgarbage('" .. tostring(option) .. "') is not allowed in the sandbox", 2)
end

print = function(...)
  local n = select('#', ...)
  local parts = {}
  for i = 1, n do parts[i] = tostring((select(i, ...))) end
  emit(concat(parts, '\t', 1, n))
end

sleep = function(ms)
  if type(ms) ~= 'number' then
    error("bad argument #1 to 'sleep' (number expected, got " .. type(ms) .. ')', 2)
  end
  if ms > 0 then sleep_impl(ms) end
end

local function describe_error(e)
  local te = type(e)
  if te == 'string' then return e end
  if te == 'number' then return tostring(e) end
  if te == 'table' then
    local mt = getmetatable(e)
    if type(mt) == 'table' and rawget(mt, '__tostring') then
      local ok, text = raw_pcall(tostring, e)
      if ok then return text end
    end
    local ok, json = raw_pcall(json_encode, e)
    if ok then return 'error object is a table value: ' .. json end
  end
  return 'error object is a ' .. te .. ' value'
end

-- Runs one node: fn is the compiled node chunk; fetch_state() hands over the input state as JSON text
-- (pulled from inside this protected call so an over-limit copy is an ordinary memory error).
-- Returns a tag ('ok' | 'error' | 'conversion' | 'too-deep') and the JSON result or the error text.
local function run(fn)
  local ok, result = raw_pcall(fn, json_decode(fetch_state()))
  if not ok then return 'error', describe_error(result) end
  local encoded, json = raw_pcall(json_encode, result)
  if not encoded then
    if json == json_too_deep then return 'too-deep', '' end
    return 'conversion', describe_error(json)
  end
  return 'ok', json
end

-- Second result: the C collectgarbage itself, which the host calls once right after setup with no
-- argument ("collect"), so a fresh VM carries no setup garbage. Called straight from C, not from a
-- Lua closure: no closure outlives it, and with no Lua frame in use the stack shrinks further.
return run, raw_gc
`;

/**
 * The setup chunk: called with the JS functions (emit, sleep, timed_out, fetch_state, create_hooked), returns the
 * runner `function(fn) -> tag, text` and a one-shot full-GC function (collectgarbage, called bare).
 */
export const SANDBOX_SETUP = `local json_encode, json_decode, json_too_deep = (function()\n${LUA_JSON_CODEC}\nend)()\n${SANDBOX_BODY}`;
