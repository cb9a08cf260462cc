/* Attack 1a: the whole student file is one #include of the grader's own reference
 * solution. Relative ("../solutions/01-adder/adder.c" resolves through the slot's
 * -I <tree>/runtime or -I <tree>/include) or absolute (the grader's tree on disk).
 * @INCLUDE@ is replaced by the test with each path to try. An honest grader compiles
 * the file where the grader's tree does not exist: "file not found", 0 points. */
#include "@INCLUDE@"
