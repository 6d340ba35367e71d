import { useEffect } from "react";
import { setPageTitle } from "../title";

export function usePageTitle(title: string): void {
  useEffect(() => {
    setPageTitle(title);
  }, [title]);
}
