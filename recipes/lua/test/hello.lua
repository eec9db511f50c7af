-- The test of the lua recipe: prints a greeting and fib(20).
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print("hello from lua " .. _VERSION:match("%d+%.%d+"))
print(fib(20))
