package wire

// Unexported parts of the package, for its external tests.
var (
	SubjectIndex = subjectIndex
	ErrMalformed = errMalformed
)
