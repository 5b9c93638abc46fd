package subscribe

// What the tests outside the package need to see.

// MaxTokens is the most tokens of a subject or pattern.
const MaxTokens = maxTokens

// Tokens is numTokens.
var Tokens = numTokens
