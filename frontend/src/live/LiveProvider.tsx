import { type Dispatch, type ReactNode, createContext, useContext, useEffect, useReducer } from "react";
import { type LiveAction, type LiveState, initialLiveState, liveReducer } from "./reducer";
import { LiveSocket, liveUrl } from "./socket";

const LiveStateContext = createContext<LiveState>(initialLiveState);
const LiveDispatchContext = createContext<Dispatch<LiveAction>>(() => undefined);

/** Owns the page's single WebSocket and the store every page reads live data from. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const [state, dispatch] = useReducer(liveReducer, initialLiveState);

  useEffect(() => {
    const socket = new LiveSocket({ url: liveUrl(window.location), dispatch });
    const onOnline = () => socket.retryNow();
    window.addEventListener("online", onOnline);
    socket.start();
    return () => {
      window.removeEventListener("online", onOnline);
      socket.stop();
    };
  }, []);

  return (
    <LiveDispatchContext.Provider value={dispatch}>
      <LiveStateContext.Provider value={state}>{children}</LiveStateContext.Provider>
    </LiveDispatchContext.Provider>
  );
}

export function useLive(): LiveState {
  return useContext(LiveStateContext);
}

export function useLiveDispatch(): Dispatch<LiveAction> {
  return useContext(LiveDispatchContext);
}
