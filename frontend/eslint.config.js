// ESLint over the chrome's TypeScript (npm run lint, part of make lint):
// ESLint's and typescript-eslint's recommended rules as they come, so a
// finding is one either project's documentation explains. The compiler's
// strict options (tsconfig.json) stay the type checker's job.
import eslint from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(eslint.configs.recommended, tseslint.configs.recommended);
