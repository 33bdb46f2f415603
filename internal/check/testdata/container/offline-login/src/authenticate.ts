// The source the build turns into dist/; not part of the package.
export {};
