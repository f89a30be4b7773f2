; No function maps "a" to both "x" and "y": the answer is infeasible.
(set-logic SLIA)
(synth-fun f ((s String)) String
    ((Start String))
    ((Start String (s "x" "y" (str.++ Start Start)))))
(constraint (= (f "a") "x"))
(constraint (= (f "a") "y"))
(check-synth)
